/**
 * This page's IANA time zone: the one zone History, All usage and the daily budget count days in. In browser
 * mode it need not be the server's, so it is sent with every request that counts days.
 */
export const browserTimeZone = (): string | undefined => Intl.DateTimeFormat().resolvedOptions().timeZone || undefined;

/** `{ timeZone }` for a request, or nothing where the browser names no zone (the service's own then counts). */
export const timeZoneField = (timeZone: string | undefined): { timeZone?: string } => (timeZone ? { timeZone } : {});
