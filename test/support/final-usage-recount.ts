/**
 * An independent recount of Claude Code transcripts, the reference Baton's `usage daily` is checked against.
 * It reads the files as they are on disk and shares no code with Baton's importer or pricing, only the price
 * data (`@pydantic/genai-prices`), whose rates it applies itself:
 *
 * - A line counts when it has an ISO timestamp (`Z`, at most milliseconds) and `message.usage` with numeric
 *   input and output counts, and each optional field it has is of its type (ccusage's schema, which Baton
 *   keeps). Files are read in the order of their paths; a last line without its newline counts
 *   only if it is whole JSON; a line that is not JSON is skipped.
 * - Per (`message.id`, `requestId`), the line with the highest `output_tokens` (the last one read on a tie)
 *   counts, whole: its time, model, speed and every token figure. A line lacking either id counts alone.
 * - Models are named without a `[…]` tag, in lower case, `<model>-fast` for `usage.speed: "fast"`; none is
 *   `unknown`; `<synthetic>` stays out of the per-model rows but in the totals.
 * - Cost: the line's own `costUSD` where it has one; else nothing for fast mode (the data has no fast rate)
 *   or a model the data does not know; else the list prices at the response's time, 5-minute and 1-hour cache
 *   writes each at its rate, and the whole request at a tier's rates when its input (input, cache writes and
 *   cache reads) is above the tier's start.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { calcPrice } from '@pydantic/genai-prices';
import { localDate } from './transcript-corpus';

type Json = Record<string, unknown>;

export interface RecountTokens {
  inputTokens: number;
  outputTokens: number;
  /** Both durations. */
  cacheCreationTokens: number;
  cacheWrite1hTokens: number;
  cacheReadTokens: number;
}

export type RecountCostSource = 'agent' | 'estimated' | 'unknown';

/** One response as it counts. */
export interface RecountedResponse {
  key: string | null;
  at: number;
  model: string;
  tokens: RecountTokens;
  /** Null where it has no price. */
  costUsd: number | null;
  costSource: RecountCostSource;
  /** Whether its request was priced at a long-context tier. */
  tiered: boolean;
  file: string;
}

export interface RecountRow extends RecountTokens {
  date: string;
  model: string;
  totalTokens: number;
  costUsd: number;
  unknownCostTokens: number;
  costSources: RecountCostSource[];
}

/** Per local date, what a count of each response's first line finds of the figures all its lines share. */
export interface FirstLineDay {
  date: string;
  inputTokens: number;
  cacheReadTokens: number;
}

const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
/** Absent, or present and passing (null is present, and fails unless `ok` takes it). */
const absentOr = (value: unknown, ok: (value: unknown) => boolean) => value === undefined || ok(value);
const number = (value: unknown) => typeof value === 'number';
const filled = (value: unknown) => typeof value === 'string' && value !== '';

interface Line {
  key: string | null;
  at: number;
  timestamp: string;
  model: string;
  tokens: RecountTokens;
  fast: boolean;
  statedCost: number | null;
}

function lineOf(json: Json): Line | null {
  const message = json.message;
  if (!isObject(message) || !isObject(message.usage)) return null;
  const usage = message.usage;
  if (!number(usage.input_tokens) || !number(usage.output_tokens)) return null;
  if (typeof json.timestamp !== 'string' || !ISO_TIMESTAMP.test(json.timestamp)) return null;
  const content = message.content;
  const valid =
    absentOr(usage.cache_creation_input_tokens, number) &&
    absentOr(usage.cache_read_input_tokens, number) &&
    absentOr(usage.speed, (v) => v === 'fast' || v === 'standard') &&
    absentOr(message.model, filled) &&
    absentOr(message.id, filled) &&
    absentOr(json.requestId, filled) &&
    absentOr(json.sessionId, filled) &&
    absentOr(json.cwd, (v) => typeof v === 'string') &&
    absentOr(json.version, (v) => typeof v === 'string' && /^\d+\.\d+\.\d+/.test(v)) &&
    absentOr(json.costUSD, number) &&
    absentOr(json.isApiErrorMessage, (v) => typeof v === 'boolean') &&
    absentOr(
      content,
      (v) => Array.isArray(v) && v.every((b) => isObject(b) && absentOr(b.text, (t) => typeof t === 'string')),
    );
  if (!valid) return null;
  const split = isObject(usage.cache_creation) ? usage.cache_creation : {};
  const fast = usage.speed === 'fast';
  return {
    key: filled(message.id) && filled(json.requestId) ? `${String(message.id)}:${String(json.requestId)}` : null,
    at: Date.parse(json.timestamp),
    timestamp: json.timestamp,
    model: modelOf(message.model as string | undefined, fast),
    tokens: {
      inputTokens: usage.input_tokens as number,
      outputTokens: usage.output_tokens as number,
      cacheCreationTokens: (usage.cache_creation_input_tokens as number | undefined) ?? 0,
      cacheWrite1hTokens: number(split.ephemeral_1h_input_tokens) ? (split.ephemeral_1h_input_tokens as number) : 0,
      cacheReadTokens: (usage.cache_read_input_tokens as number | undefined) ?? 0,
    },
    fast,
    statedCost: number(json.costUSD) ? (json.costUSD as number) : null,
  };
}

function modelOf(raw: string | undefined, fast: boolean): string {
  const name = (raw ?? '')
    .replace(/\[[^\]]*\]$/, '')
    .trim()
    .toLowerCase();
  if (name === '' || name === 'default') return 'unknown';
  return fast && name !== '<synthetic>' ? `${name}-fast` : name;
}

type Rate = number | { base: number; tiers: Array<{ start: number; price: number }> } | undefined;

/** A rate for a request with `input` tokens of input: the base, or the highest tier it is above. */
function rateAt(rate: Rate, input: number): { perMillion: number; tiered: boolean } | undefined {
  if (rate === undefined) return undefined;
  if (typeof rate === 'number') return { perMillion: rate, tiered: false };
  let perMillion = rate.base;
  let tiered = false;
  for (const tier of [...rate.tiers].sort((a, b) => a.start - b.start)) {
    if (input > tier.start) {
      perMillion = tier.price;
      tiered = true;
    }
  }
  return { perMillion, tiered };
}

/** The cost of one response at list prices, or null for fast mode and models the data does not know. */
export function listPrice(
  model: string,
  tokens: RecountTokens,
  at: number,
): { costUsd: number; tiered: boolean } | null {
  if (model === 'unknown' || model === '<synthetic>' || model.endsWith('-fast')) return null;
  const found = calcPrice({}, model, { providerId: 'anthropic', timestamp: new Date(at) });
  if (!found) return null;
  const prices = found.model_price as Record<string, Rate>;
  const input = tokens.inputTokens + tokens.cacheCreationTokens + tokens.cacheReadTokens;
  const inputRate = rateAt(prices.input_mtok, input);
  const outputRate = rateAt(prices.output_mtok, input);
  if (!inputRate || !outputRate) return null;
  const write5m = rateAt(prices.cache_write_mtok, input) ?? inputRate;
  const write1h = rateAt(prices.cache_write_1h_mtok, input) ?? write5m;
  const read = rateAt(prices.cache_read_mtok, input) ?? inputRate;
  const costUsd =
    (tokens.inputTokens * inputRate.perMillion +
      tokens.outputTokens * outputRate.perMillion +
      (tokens.cacheCreationTokens - tokens.cacheWrite1hTokens) * write5m.perMillion +
      tokens.cacheWrite1hTokens * write1h.perMillion +
      tokens.cacheReadTokens * read.perMillion) /
    1_000_000;
  return { costUsd, tiered: inputRate.tiered };
}

/** Every `.jsonl` under `<configDir>/projects`, with its lines that count, in the order they are taken. */
function readFiles(configDir: string): Array<{ file: string; lines: Line[] }> {
  const root = path.join(configDir, 'projects');
  const names = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.jsonl'));
  const files = names.map((name) => {
    const file = path.join(root, name);
    const raw = readFileSync(file, 'utf8').split('\n');
    const tail = raw.pop() ?? '';
    const texts = raw.filter((text) => text.trim() !== '');
    const lines: Line[] = [];
    for (const text of tail.trim() !== '' && parse(tail) ? [...texts, tail] : texts) {
      const json = parse(text);
      if (!isObject(json)) continue;
      const line = lineOf(json);
      if (line) lines.push(line);
    }
    return { file, lines };
  });
  return files.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export class Recount {
  readonly responses: RecountedResponse[];
  private readonly firstLines: Line[];

  constructor(configDir: string) {
    const files = readFiles(configDir);
    const chosen: Array<{ line: Line; file: string }> = [];
    const slotOf = new Map<string, number>();
    this.firstLines = [];
    for (const { file, lines } of files) {
      for (const line of lines) {
        const slot = line.key === null ? undefined : slotOf.get(line.key);
        if (slot === undefined) {
          if (line.key !== null) slotOf.set(line.key, chosen.length);
          chosen.push({ line, file });
          this.firstLines.push(line);
        } else if (line.tokens.outputTokens >= chosen[slot]!.line.tokens.outputTokens) {
          chosen[slot] = { line, file };
        }
      }
    }
    this.responses = chosen.map(({ line, file }) => {
      const priced = line.statedCost === null ? listPrice(line.model, line.tokens, line.at) : null;
      return {
        key: line.key,
        at: line.at,
        model: line.model,
        tokens: line.tokens,
        costUsd: line.statedCost ?? priced?.costUsd ?? null,
        costSource: line.statedCost !== null ? 'agent' : priced ? 'estimated' : 'unknown',
        tiered: priced?.tiered ?? false,
        file,
      };
    });
  }

  /** One row per local date and model, `<synthetic>` left out, sorted by date and model. */
  daily(timeZone: string): RecountRow[] {
    const rows = new Map<string, RecountRow>();
    for (const response of this.responses) {
      if (response.model === '<synthetic>') continue;
      const date = localDate(response.at, timeZone);
      const id = `${date} ${response.model}`;
      let row = rows.get(id);
      if (!row) {
        row = { date, model: response.model, ...emptyTotals() };
        rows.set(id, row);
      }
      addTo(row, response);
    }
    return [...rows.values()].sort((a, b) => a.date.localeCompare(b.date) || a.model.localeCompare(b.model));
  }

  /** Everything, `<synthetic>` included. */
  totals(): Omit<RecountRow, 'date' | 'model'> {
    const totals = emptyTotals();
    for (const response of this.responses) addTo(totals, response);
    return totals;
  }

  /** Input and cache reads per local date, each response dated by its first line read (as ccusage 18 counts). */
  firstLineDays(timeZone: string): FirstLineDay[] {
    const days = new Map<string, FirstLineDay>();
    for (const line of this.firstLines) {
      if (line.model === '<synthetic>') continue;
      const date = localDate(line.at, timeZone);
      const day = days.get(date) ?? { date, inputTokens: 0, cacheReadTokens: 0 };
      day.inputTokens += line.tokens.inputTokens;
      day.cacheReadTokens += line.tokens.cacheReadTokens;
      days.set(date, day);
    }
    return [...days.values()].sort((a, b) => a.date.localeCompare(b.date));
  }

  /** Output tokens of the first lines: what a first-line count finds. */
  firstLineOutputTokens(): number {
    return this.firstLines.reduce((sum, line) => sum + line.tokens.outputTokens, 0);
  }
}

function emptyTotals(): Omit<RecountRow, 'date' | 'model'> {
  return {
    inputTokens: 0,
    outputTokens: 0,
    cacheCreationTokens: 0,
    cacheWrite1hTokens: 0,
    cacheReadTokens: 0,
    totalTokens: 0,
    costUsd: 0,
    unknownCostTokens: 0,
    costSources: [],
  };
}

function addTo(into: Omit<RecountRow, 'date' | 'model'>, response: RecountedResponse): void {
  const { inputTokens, outputTokens, cacheCreationTokens, cacheWrite1hTokens, cacheReadTokens } = response.tokens;
  const total = inputTokens + outputTokens + cacheCreationTokens + cacheReadTokens;
  into.inputTokens += inputTokens;
  into.outputTokens += outputTokens;
  into.cacheCreationTokens += cacheCreationTokens;
  into.cacheWrite1hTokens += cacheWrite1hTokens;
  into.cacheReadTokens += cacheReadTokens;
  into.totalTokens += total;
  if (response.costUsd === null) into.unknownCostTokens += total;
  else into.costUsd += response.costUsd;
  if (!into.costSources.includes(response.costSource)) into.costSources.push(response.costSource);
  into.costSources.sort();
}

/** Recounts the transcripts under `<configDir>/projects`. */
export const recountTranscripts = (configDir: string) => new Recount(configDir);
