/**
 * What a browser is shown in place of Baton when browser mode refuses it: a page that says what
 * happened and what to do, where a script would get JSON. The usual case is a tab, a bookmark or a
 * typed address without the token of this start: `baton serve` makes a new one each time.
 */

const escape = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** The token is refused: missing, from an earlier start, or mistyped. */
function tokenHelp(port: number): string {
  const address = `http://127.0.0.1:${port}/?token=…`;
  return `<h1>Open Baton with the address it printed</h1>
<p>This address was opened without Baton’s key, or with the key of an earlier start. Each time
<code>baton serve</code> starts, it makes a new key and prints the address to open in its terminal:</p>
<pre>Baton is serving on ${escape(address)}</pre>
<p>Open that address, in this tab or another. Tabs already open on port ${port} then reconnect by themselves.</p>
<p>If Baton is no longer running, start it again with <code>baton serve</code> (and the same <code>--db</code>, if
you gave one): it serves the same database on the same port.</p>`;
}

/** Any other refusal of a page: a foreign Host or Origin, a malformed address. */
function otherHelp(message: string, port: number): string {
  return `<h1>Baton refused this page</h1>
<p>${escape(message.replace(/^refused: /, ''))}.</p>
<p>Open Baton at the address <code>baton serve</code> printed in its terminal:
<code>http://127.0.0.1:${port}/?token=…</code>.</p>`;
}

export function refusalPage(refusal: { status: number; message: string }, port: number): string {
  const body = refusal.status === 401 ? tokenHelp(port) : otherHelp(refusal.message, port);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Baton: open the address it printed</title>
<style>
  :root { color-scheme: light dark; --fg: #1f2328; --bg: #ffffff; --muted: #59636e; --code: #f0f2f5; --line: #d0d7de; }
  @media (prefers-color-scheme: dark) {
    :root { --fg: #e6edf3; --bg: #0d1117; --muted: #9198a1; --code: #161b22; --line: #30363d; }
  }
  body { margin: 0; background: var(--bg); color: var(--fg); font: 16px/1.55 system-ui, sans-serif; }
  main { max-width: 42rem; margin: 4rem auto; padding: 0 1.5rem; }
  h1 { font-size: 1.5rem; margin: 0 0 1rem; }
  p { margin: 0 0 1rem; }
  code, pre { font-family: ui-monospace, monospace; background: var(--code); border-radius: 4px; }
  code { padding: 0.1rem 0.3rem; }
  pre { padding: 0.75rem 1rem; border: 1px solid var(--line); overflow-x: auto; }
  .brand { color: var(--muted); font-weight: 600; margin-bottom: 2rem; }
</style>
</head>
<body>
<main data-refusal="${refusal.status}">
<p class="brand">Baton</p>
${body}
</main>
</body>
</html>
`;
}
