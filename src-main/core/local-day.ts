/** The daily budget's day: the local calendar day of the process that checks it. */

/** Local midnight at the start of the day `now` (epoch ms) falls in. */
export function startOfLocalDay(now: number): number {
  const midnight = new Date(now);
  midnight.setHours(0, 0, 0, 0);
  return midnight.getTime();
}
