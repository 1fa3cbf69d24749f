/**
 * The daily budget's "today": one definition for the orchestrator (which holds launches of the window and
 * of the CLI to the budget), Settings' "spent today" and the launch form's budget line.
 */
import type { Settings } from '../contract/views';
import { serviceTimeZone, startOfZoneDay } from './local-day';

/** The zone the window last stored in the settings, else the service's own. */
export const budgetTimeZone = (settings: Pick<Settings, 'timeZone'>): string => settings.timeZone ?? serviceTimeZone();

/** The zone of the budget's day and where that day began (epoch ms) at `now`, by settings already read. */
export function budgetDayOf(settings: Pick<Settings, 'timeZone'>, now: number): { timeZone: string; start: number } {
  const timeZone = budgetTimeZone(settings);
  return { timeZone, start: startOfZoneDay(timeZone, now) };
}

/** The same, reading the settings. */
export async function budgetDay(
  store: { settings(): Promise<Settings> },
  now: number,
): Promise<{ timeZone: string; start: number }> {
  return budgetDayOf(await store.settings(), now);
}
