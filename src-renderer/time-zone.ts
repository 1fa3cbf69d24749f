/**
 * This page's IANA time zone: the one zone History, All usage and the daily budget count days in. In browser
 * mode it need not be the server's, so it is sent with every request that counts days.
 */
import type { BatonApi } from './contract';

export const browserTimeZone = (): string | undefined => Intl.DateTimeFormat().resolvedOptions().timeZone || undefined;

/** `{ timeZone }` for a request, or nothing where the browser names no zone (the service's own then counts). */
export const timeZoneField = (timeZone: string | undefined): { timeZone?: string } => (timeZone ? { timeZone } : {});

/**
 * Stores this window's zone in the settings as the daily budget's, so the budget's "today" is the day History
 * and All usage call today; the service's own zone counts only until a window has said. The last window
 * opened wins.
 */
export async function sendTimeZone(
  client: Pick<BatonApi, 'getSettings' | 'updateSettings'>,
  timeZone: string | undefined = browserTimeZone(),
): Promise<void> {
  if (!timeZone) return;
  try {
    if ((await client.getSettings({})).timeZone !== timeZone) await client.updateSettings({ timeZone });
  } catch {
    // An older service, or one that knows not this zone: the budget keeps counting the days it did.
  }
}

/** Which zone's day "today" is, after a figure of today's spending; nothing where the service does not say. */
export const todayZoneText = (timeZone: string | undefined): string => (timeZone ? ` (today in ${timeZone})` : '');
