/**
 * The 5-hour blocks as ccusage draws them: a block starts at the hour (UTC) of its first message and takes
 * every message until one comes more than 5 hours after its start or after the one before; a pause longer
 * than 5 hours shows as a gap. The active block gets a burn rate over its messages so far and a projection
 * to its end.
 */
import type { UsageBlock } from '../../contract/usage';
import { add, settled, SYNTHETIC_MODEL, zeroTokens, type Sums } from './usage-sums';

const BLOCK_MS = 5 * 60 * 60 * 1000;
/**
 * The least spread of activity a burn rate is drawn from: a block whose messages came within seconds (a batch
 * of Baton sessions, each counted at its start) would give an absurd rate per minute.
 */
const BURN_RATE_MIN_MINUTES = 1;

/** The blocks of priced entries in time order. */
export function blocksOf(entries: readonly BlockEntry[], now: number): UsageBlock[] {
  const blocks: UsageBlock[] = [];
  let current: BlockEntry[] = [];
  let start = 0;
  const close = () => {
    if (current.length > 0) blocks.push(blockOf(start, current, now));
  };
  for (const entry of entries) {
    const last = current.at(-1);
    if (!last) {
      start = floorToHour(entry.at);
      current = [entry];
      continue;
    }
    if (entry.at - start > BLOCK_MS || entry.at - last.at > BLOCK_MS) {
      close();
      if (entry.at - last.at > BLOCK_MS) blocks.push(gapOf(last.at + BLOCK_MS, entry.at));
      start = floorToHour(entry.at);
      current = [entry];
    } else {
      current.push(entry);
    }
  }
  close();
  return blocks;
}

const floorToHour = (at: number) => at - (((at % 3_600_000) + 3_600_000) % 3_600_000);

/** Responses at one instant, priced; a block's messages count these (one per response, nearly always). */
export interface BlockEntry {
  at: number;
  model: string;
  sums: Sums;
}

function blockOf(start: number, entries: readonly BlockEntry[], now: number): UsageBlock {
  const tokens = zeroTokens();
  for (const e of entries) add(tokens, e.sums);
  settled(tokens);
  const end = start + BLOCK_MS;
  const first = entries[0]!.at;
  const last = entries.at(-1)!.at;
  const isActive = now - last < BLOCK_MS && now < end;
  const minutes = (last - first) / 60_000;
  const burnRate =
    minutes >= BURN_RATE_MIN_MINUTES
      ? { tokensPerMinute: tokens.totalTokens / minutes, costPerHour: (tokens.costUsd / minutes) * 60 }
      : null;
  const remainingMinutes = Math.max(0, (end - now) / 60_000);
  const projection =
    isActive && burnRate
      ? {
          totalTokens: Math.round(tokens.totalTokens + burnRate.tokensPerMinute * remainingMinutes),
          costUsd: Math.round((tokens.costUsd + (burnRate.costPerHour / 60) * remainingMinutes) * 100) / 100,
          remainingMinutes: Math.round(remainingMinutes),
        }
      : null;
  return {
    ...tokens,
    id: new Date(start).toISOString(),
    start,
    end,
    lastActivity: last,
    isGap: false,
    isActive,
    models: [...new Set(entries.map((e) => e.model))].filter((m) => m !== SYNTHETIC_MODEL),
    messages: entries.length,
    burnRate,
    projection,
  };
}

function gapOf(start: number, end: number): UsageBlock {
  return {
    ...zeroTokens(),
    id: `gap-${new Date(start).toISOString()}`,
    start,
    end,
    lastActivity: null,
    isGap: true,
    isActive: false,
    models: [],
    messages: 0,
    burnRate: null,
    projection: null,
  };
}
