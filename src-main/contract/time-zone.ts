/** The one way a caller names a time zone: an IANA name, checked against the zones this system knows. */
import { z } from 'zod';

/** An offset rather than a zone ("+05:30", "-0800"), which newer Intl takes as a zone too (Node 24 does). */
const OFFSET = /^[+\-\u2212]\d/;

/** Whether Intl knows the zone, as a named zone; its canonical spelling when it does ("utc" is "UTC"). */
function canonicalZone(zone: string): string | undefined {
  if (OFFSET.test(zone)) return undefined;
  try {
    return new Intl.DateTimeFormat('en-CA', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/**
 * A time zone Intl knows (IANA name, e.g. Europe/Berlin, or UTC), in its canonical spelling. A zone, not an
 * offset: an offset is right only until the clocks change, and days are counted across such changes.
 */
export const timeZoneSchema = z
  .string()
  .trim()
  .min(1, 'a time zone must not be empty')
  // The longest IANA name is 30 characters; a longer text is no zone, and is not handed to Intl.
  .max(100, { message: 'a time zone is at most 100 characters', abort: true })
  .refine((zone) => canonicalZone(zone) !== undefined, {
    error: (issue) =>
      `"${String(issue.input)}" is not a time zone this system knows (an IANA name such as Europe/Berlin, or UTC)`,
  })
  .transform((zone) => canonicalZone(zone) ?? zone);
