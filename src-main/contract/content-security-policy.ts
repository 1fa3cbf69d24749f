/**
 * The one Content-Security-Policy of Baton's pages, whoever serves them: the
 * desktop window's response headers, browser mode's headers, and the meta tag
 * the build writes into index.html.
 */
const DIRECTIVES = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  // Browser mode's WebSocket; the desktop window makes no connections of its own.
  "connect-src 'self' ws://127.0.0.1:* ws://localhost:*",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
];

/** A meta tag may not carry frame-ancestors (browsers ignore it there, with a warning); headers do. */
export function contentSecurityPolicy(delivery: 'header' | 'meta' = 'header'): string {
  const directives = delivery === 'meta' ? DIRECTIVES.filter((d) => !d.startsWith('frame-ancestors')) : DIRECTIVES;
  return directives.join('; ');
}
