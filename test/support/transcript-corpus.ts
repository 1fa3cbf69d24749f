/**
 * A synthetic Claude Code transcript corpus, shaped like a real ~/.claude: `projects/<encoded cwd>/<session
 * uuid>.jsonl`, plus `<session uuid>/subagents/agent-<id>.jsonl` for subagents. Seeded: the same options
 * write the same bytes, so a test's figures and the benchmark's input do not drift between runs.
 *
 * Responses are written as the CLI writes them while they stream: one line per content block, all with the
 * response's message id and request id, the early ones with a partial output count (1 to 10) and no stop
 * reason, the last one with the final usage. Some responses fall back to another model on their final line
 * (with a colder cache), about a third write to the 1-hour cache, some run in fast mode, some sessions name
 * their model with Claude Code's `[1m]` tag and run past 200k tokens of context, some write no request id,
 * and subagents' lines are repeated (whole or cut short) in their parent's file. Around that come the lines
 * ccusage counts its own way: sidechains inline and in subagent files, resumed sessions that repeat an
 * earlier session's lines, `<synthetic>` replies, cut lines, and lines whose usage ccusage's schema turns
 * away. Sessions start across ~60 days, some just before a local midnight in one of CORPUS_TIME_ZONES so
 * that the day they count for depends on the zone.
 *
 * What it says a correct importer counts (CorpusShape, countedMessages, dailyByModel) follows the final-usage
 * rule: per (message id, request id) the line with the highest output count, the last one on a tie, taken
 * whole; a line lacking either id counts on its own.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface CorpusOptions {
  seed?: number;
  /** Main session files; subagent files and a few odd files come on top. */
  sessions?: number;
  /** Mean lines per main session file (the lengths vary widely, as real ones do). */
  meanLinesPerSession?: number;
  projects?: number;
  /** First day of the span, YYYY-MM-DD (UTC). */
  firstDay?: string;
  days?: number;
  /** Chance that an assistant message carries one of the quirks, on top of one of each quirk somewhere. */
  quirkRate?: number;
  /** Main sessions whose last line is still being written: cut, with no newline after it. */
  partialTails?: number;
}

/** About 100k lines in several hundred files (~160 MB): the size of a heavy user’s ~/.claude. */
export const FULL_CORPUS: CorpusOptions = { seed: 1, sessions: 400, meanLinesPerSession: 230 };
/** Every kind of line and quirk, midnight crossings in each zone, in a couple of thousand lines. */
export const SMALL_CORPUS: CorpusOptions = { seed: 7, sessions: 36, meanLinesPerSession: 45, partialTails: 1 };

/** Zones whose local midnight some sessions straddle (Los Angeles across its DST change in the default span). */
export const CORPUS_TIME_ZONES = ['UTC', 'America/Los_Angeles', 'Asia/Kolkata', 'Asia/Tokyo'] as const;

export interface Tokens {
  inputTokens: number;
  outputTokens: number;
  /** Cache writes of both durations. */
  cacheCreationTokens: number;
  cacheReadTokens: number;
}

/** The tokens of one line: Tokens and the 1-hour part of the cache writes. */
export interface LineTokens extends Tokens {
  cacheWrite1hTokens: number;
}

/** A response as it counts: its final line (the highest output count, the last one on a tie). */
export interface CountedMessage {
  /** `<message id>:<request id>`; null when the line lacks either, and then every such line counts. */
  key: string | null;
  timestamp: string;
  /** As reports name it: without a `[…]` tag, `-fast` appended for fast mode; null where the line names no model. */
  model: string | null;
  tokens: LineTokens;
  /** The cost the line states (`costUSD`), if it does. */
  costUsd: number | null;
  sessionId: string;
  sidechain: boolean;
  file: string;
}

export interface CorpusShape {
  /** `.jsonl` files under projects/, empty ones included. */
  files: number;
  /** Whole (newline-terminated) lines: what an importer reads; a last line still being written is not one. */
  lines: number;
  /** Whole lines that are not JSON. */
  malformed: number;
  /** Last lines cut short with no newline after them. */
  partialTails: number;
  /** Lines ccusage counts before it drops repeats. */
  usageLines: number;
  /** What counts once: each message id + request id pair once, and every line lacking either. */
  messages: number;
  /** Counted lines that are neither a new message nor a correction. */
  duplicates: number;
  /** Responses whose final line is in a file read after one with an earlier line of theirs (a subagent's). */
  corrected: number;
  /** Counted lines lacking a message id or a request id. */
  keyless: number;
  /** Lines with usage that ccusage's schema refuses (a bad timestamp, version, model, type…). */
  rejected: number;
  /** Counted messages from sidechains. */
  sidechain: number;
  /** Counted `<synthetic>` messages (zero usage; left out of the per-model figures). */
  synthetic: number;
  /** Distinct session ids of the counted messages. */
  sessions: number;
  /** Models of the counted messages, as reports name them, `unknown` for none. */
  models: string[];
  /** Counted lines that are not their response's final line: the ones a first-line count would have taken. */
  partialLines: number;
  /** Responses whose final output count is above their first line's. */
  shortAtFirstLine: number;
  /** Output tokens of the counted responses' first lines, and of their final lines. */
  firstLineOutputTokens: number;
  finalOutputTokens: number;
  /** Responses whose final line names another model than their first. */
  modelChanged: number;
  /** Counted responses with 1-hour cache writes. */
  cacheWrite1h: number;
  /** Counted responses in fast mode. */
  fast: number;
  /** Counted responses whose line names the model with a `[…]` tag such as `[1m]`. */
  taggedModels: number;
  /** Counted responses with more than 200k tokens of input (input, cache writes and reads). */
  longContext: number;
  /** Responses whose lines are in more than one file (a subagent's in its parent's, a resumed session). */
  inSeveralFiles: number;
}

/** What an importer that had read every earlier state of the corpus reads after one change. */
export interface ReadShape {
  lines: number;
  malformed: number;
  /** Counted lines never written before: a new pair, or a line lacking one at a new place in its file. */
  messages: number;
  /** Counted lines whose pair (or, lacking one, whose line at that place in its file) was written before. */
  duplicates: number;
  /**
   * Responses read before whose counted figures this read changes: a final line arriving after the
   * response's partial lines were read (it replaces them; it does not add to them).
   */
  corrected: number;
}

export interface DailyModelRow extends LineTokens {
  date: string;
  model: string;
}

export type CorpusFileKind = 'session' | 'subagent' | 'empty' | 'summary-only';

export interface CorpusFile {
  path: string;
  kind: CorpusFileKind;
  sessionId: string;
  cwd: string;
}

type Json = Record<string, unknown>;

interface LineMeta {
  /** The line's `timestamp` where a Date parses it. */
  timestamp: string | null;
  malformed?: true;
  /** Why ccusage refuses a line that has usage. */
  rejected?: string;
  /** The quirk the line was written with, if any (copies of other sessions skip such lines). */
  quirk?: string;
  usage?: Omit<CountedMessage, 'file'> & {
    synthetic: boolean;
    /** The model as the line names it, tag and all. */
    rawModel: string | null;
    /** Which of its response's lines this is, of how many (1 of 1 for a keyless or synthetic line). */
    part: { index: number; of: number };
  };
}

interface CorpusLine {
  text: string;
  meta: LineMeta;
}

interface FileState extends CorpusFile {
  lines: CorpusLine[];
  /** A line of which only `partialLength` characters are on disk, no newline after them. */
  partial: { line: CorpusLine; partialLength: number } | null;
  /** Lines written by the CLI but not yet on disk: a response's final line and what follows it. */
  heldBack: CorpusLine[];
  writer: SessionWriter | null;
}

/** mulberry32: small, fast, and the same sequence on every platform. */
class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }
  weighted<T extends { weight: number }>(items: readonly T[]): T {
    let at = this.next() * items.reduce((sum, item) => sum + item.weight, 0);
    for (const item of items) {
      at -= item.weight;
      if (at < 0) return item;
    }
    return items[items.length - 1] as T;
  }
  chars(alphabet: string, n: number): string {
    let out = '';
    for (let i = 0; i < n; i++) out += alphabet[Math.floor(this.next() * alphabet.length)];
    return out;
  }
  uuid(): string {
    const h = this.chars('0123456789abcdef', 32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[this.int(0, 3)]}${h.slice(17, 20)}-${h.slice(20)}`;
  }
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Claude Code names a project's folder by its cwd with every other character than [A-Za-z0-9] a dash. */
export const encodeProjectFolder = (cwd: string) => cwd.replace(/[^A-Za-z0-9]/g, '-');

const PROJECT_DIRS = [
  '/home/me/proj-a',
  '/home/me/work/api-server',
  '/home/me/src/baton',
  '/home/me/.dotfiles',
  '/home/me/My Notes',
  '/home/me/work/mobile_app',
  '/home/me/src/ccusage-fork',
  '/home/me/work/infra/terraform',
  '/home/me/proj-b',
  '/home/me/src/café-site',
  '/home/me/work/data-pipeline',
  '/home/me/scratch',
];

const MODELS = [
  { id: 'claude-sonnet-4-5-20250929', weight: 40 },
  { id: 'claude-opus-4-1-20250805', weight: 12 },
  { id: 'claude-opus-4-5-20251101', weight: 18 },
  { id: 'claude-haiku-4-5-20251001', weight: 6 },
  { id: 'claude-sonnet-4-20250514', weight: 8 },
  { id: 'claude-opus-4-6', weight: 8 },
  { id: 'claude-opus-4-8', weight: 5 },
  // Undated, as a proxy or an API-compatible server may report it.
  { id: 'claude-sonnet-4-5', weight: 3 },
  // Claude Code's 1M-context spelling of the same models: the same rows as the plain names.
  { id: 'claude-opus-4-8[1m]', weight: 6 },
  { id: 'claude-sonnet-4-5-20250929[1m]', weight: 6 },
] as const;
const SIDECHAIN_MODEL = 'claude-haiku-4-5-20251001';
const FAST_MODEL = 'claude-opus-4-6';
/** Models whose sessions run some responses in fast mode, and how many. */
const FAST_SHARE: Record<string, number> = {
  'claude-opus-4-6': 0.25,
  'claude-opus-4-8': 0.15,
  'claude-opus-4-8[1m]': 0.15,
};
/** What a response falls back to mid-stream (Claude Code's --fallback-model), by the model it started on. */
const fallbackOf = (model: string) =>
  model.includes('opus')
    ? 'claude-sonnet-4-5-20250929'
    : model.includes('haiku')
      ? 'claude-sonnet-4-5'
      : 'claude-opus-4-5-20251101';
/** Context (tokens) at which a session compacts: a 1M-context session goes well past 200k first. */
const contextLimitOf = (model: string) => (model.endsWith('[1m]') ? 600_000 : 150_000);

/** Here 1.x and 2.0 keep sidechains inline in the session's file and 2.1 writes subagent files: real folders hold both. */
const VERSIONS = [
  { id: '1.0.88', weight: 2, subagentFiles: false },
  { id: '2.0.14', weight: 4, subagentFiles: false },
  { id: '2.0.31', weight: 5, subagentFiles: false },
  { id: '2.1.4', weight: 6, subagentFiles: true },
  { id: '2.1.197', weight: 5, subagentFiles: true },
] as const;

/**
 * Ways an assistant message departs from the usual line, each at least once per corpus. The counted ones
 * test what ccusage still counts; the rejected ones, what its schema turns away; `cut-line` a broken line.
 */
const QUIRKS = [
  'no-request-id',
  'no-message-id',
  'no-model',
  'fast',
  'no-milliseconds',
  'no-cache-fields',
  'cost-usd',
  'no-version',
  'repeated-line',
  'model-fallback',
  'fallback-tie',
  'cut-line',
  'offset-timestamp',
  'microsecond-timestamp',
  'bad-version',
  'empty-model',
  'null-model',
  'unknown-speed',
  'string-content',
  'null-cache-read',
  'string-input-tokens',
  'empty-session-id',
  'null-request-id',
] as const;
type Quirk = (typeof QUIRKS)[number];

/** What ccusage's schema says of a message with the quirk: counted, or refused and why. */
const REFUSED_BY: Partial<Record<Quirk, string>> = {
  'offset-timestamp': 'timestamp not in the Z form',
  'microsecond-timestamp': 'timestamp with more than milliseconds',
  'bad-version': 'version not x.y.z',
  'empty-model': 'empty model',
  'null-model': 'null model',
  'unknown-speed': 'speed neither standard nor fast',
  'string-content': 'content not a list',
  'null-cache-read': 'null cache read count',
  'string-input-tokens': 'input tokens not a number',
  'empty-session-id': 'empty session id',
  'null-request-id': 'null request id',
};

const WORDS = (
  'the function returns a promise that resolves once the file is written and the index updated ' +
  'refactor parser tests config cache session token handler request response error retry timeout ' +
  'implement migrate schema column index query transaction commit rollback build lint format deploy ' +
  'naïve café résumé über straße — “quoted” … 日本語 テスト 中文 ok so we should check why it fails here'
).split(' ');

const CODE_LINES = [
  "import { readFileSync } from 'node:fs';",
  'export function parse(input: string): Result {',
  '  const lines = input.split("\\n").filter(Boolean);',
  '  for (const line of lines) total += line.length;',
  '  if (!value) throw new Error(`missing ${key}`);',
  '  return { ok: true, value, warnings: [] };',
  '}',
  '// TODO: handle the empty case — see issue #42',
  "const message = 'déjà vu: 日本語のテキスト';",
];

/** Task starts a subagent: a sidechain, and in newer versions a file of its own. */
const TOOLS = [
  { name: 'Read', weight: 30 },
  { name: 'Edit', weight: 20 },
  { name: 'Bash', weight: 25 },
  { name: 'Grep', weight: 15 },
  { name: 'Task', weight: 5 },
] as const;

interface PendingSidechain {
  lines: CorpusLine[];
  agentId: string;
}

/** Writes one session's lines in time order, keeping what a real session carries from line to line. */
class SessionWriter {
  private clock: number;
  private parent: string | null = null;
  private context: number;
  private readonly model: string;
  private readonly fastShare: number;
  /** A session run against a server that sends no request-id header: its lines have no `requestId`. */
  private readonly noRequestIds: boolean;
  /** Subagent runs waiting to be written to their own files (newer CLI versions). */
  readonly subagentRuns: PendingSidechain[] = [];
  private readonly version: (typeof VERSIONS)[number];

  constructor(
    private readonly rng: Random,
    readonly sessionId: string,
    readonly cwd: string,
    start: number,
    private readonly quirks: Quirk[],
    private readonly quirkRate: number,
    private readonly fastTurnGaps = false,
  ) {
    this.clock = start;
    this.version = rng.weighted(VERSIONS);
    this.model = rng.weighted(MODELS).id;
    this.fastShare = FAST_SHARE[this.model] ?? 0;
    this.noRequestIds = rng.chance(0.03);
    // A 1M-context session is usually a long one: it starts deep into its context.
    this.context = this.model.endsWith('[1m]') ? rng.int(120_000, 260_000) : rng.int(12_000, 22_000);
  }

  get now(): number {
    return this.clock;
  }

  get pendingQuirks(): number {
    return this.quirks.length;
  }

  /** Moves the clock on, past another session's lines (a resumed session continues after them). */
  resumeAfter(at: number): void {
    this.clock = Math.max(this.clock, at) + this.rng.int(60_000, 3_600_000);
  }

  private tick(minMs: number, maxMs: number): string {
    this.clock += this.rng.int(minMs, maxMs);
    return new Date(this.clock).toISOString();
  }

  private common(type: string, sidechain: { agentId: string } | null): Json {
    const line: Json = {
      parentUuid: this.parent,
      isSidechain: sidechain !== null,
      userType: 'external',
      cwd: this.cwd,
      sessionId: this.sessionId,
      version: this.version.id,
      gitBranch: 'main',
    };
    if (sidechain) line.agentId = sidechain.agentId;
    line.type = type;
    return line;
  }

  private finish(line: Json, meta: Omit<LineMeta, 'timestamp'> = {}): CorpusLine {
    const uuid = this.rng.uuid();
    line.uuid = uuid;
    line.timestamp ??= this.tick(300, 8_000);
    this.parent = uuid;
    return { text: JSON.stringify(line), meta: { timestamp: line.timestamp as string, ...meta } };
  }

  private filler(words: number): string {
    const out: string[] = [];
    for (let i = 0; i < words; i++) out.push(this.rng.pick(WORDS));
    return out.join(' ');
  }

  private code(lines: number): string {
    const out: string[] = [];
    for (let i = 0; i < lines; i++) out.push(`${String(i + 1).padStart(4)}→${this.rng.pick(CODE_LINES)}`);
    return out.join('\n');
  }

  private userPrompt(sidechain: { agentId: string } | null): CorpusLine {
    const line = this.common('user', sidechain);
    line.message = { role: 'user', content: this.filler(this.rng.int(5, 60)) };
    line.timestamp = this.tick(20_000, this.fastTurnGaps ? 120_000 : 1_200_000);
    return this.finish(line);
  }

  private toolResult(sidechain: { agentId: string } | null, toolUseId: string, tool: string): CorpusLine {
    const line = this.common('user', sidechain);
    const big = tool === 'Read' ? this.code(this.rng.int(20, 120)) : this.filler(this.rng.int(10, 200));
    line.message = { role: 'user', content: [{ tool_use_id: toolUseId, type: 'tool_result', content: big }] };
    line.toolUseResult =
      tool === 'Read'
        ? { type: 'text', file: { filePath: `${this.cwd}/src/index.ts`, content: big, numLines: 80, totalLines: 80 } }
        : { stdout: big, stderr: '', interrupted: false, isImage: false };
    this.context += Math.round(big.length / 4);
    return this.finish(line);
  }

  /** The final usage of one response, as its last line carries it. */
  private usageFor(call: number, fast: boolean): Json {
    const cacheCreation = this.rng.chance(0.3) ? this.rng.int(500, 20_000) : this.rng.int(0, 400);
    // About a third of responses write to the 1-hour cache: all of their writes, or a part.
    const oneHour = this.rng.chance(0.33) ? (this.rng.chance(0.6) ? cacheCreation : this.rng.int(0, cacheCreation)) : 0;
    const usage: Json = {
      input_tokens: call === 1 && this.rng.chance(0.2) ? this.rng.int(1_000, 30_000) : this.rng.int(1, 12),
      cache_creation_input_tokens: cacheCreation,
      cache_read_input_tokens: this.context,
      cache_creation: { ephemeral_5m_input_tokens: cacheCreation - oneHour, ephemeral_1h_input_tokens: oneHour },
      output_tokens: this.rng.int(1, 2_500),
      service_tier: 'standard',
    };
    if (fast) usage.speed = 'fast';
    else if (this.version.id.startsWith('2.1')) usage.speed = 'standard';
    this.context += cacheCreation + (usage.output_tokens as number);
    return usage;
  }

  /**
   * One API response as it streams: one line per content block, all with its message id and request id.
   * The early lines carry the usage of the moment (the same input and cache figures, an output count of 1
   * to 10, no stop reason); the last carries the final usage. A response that falls back to another model
   * names it on its final line only, with the cache writes of a cold cache.
   */
  private assistant(options: { sidechain: { agentId: string } | null; call: number; tool: string | null }): {
    lines: CorpusLine[];
    toolUseId: string | null;
  } {
    // Besides the quirks once or now and then: whole sessions without request ids, and fallbacks (2%).
    const quirk =
      this.nextQuirk() ?? (this.noRequestIds ? 'no-request-id' : this.rng.chance(0.02) ? 'model-fallback' : null);
    const fast = quirk === 'fast' || (quirk === null && !options.sidechain && this.rng.chance(this.fastShare));
    const model = quirk === 'fast' ? FAST_MODEL : options.sidechain ? SIDECHAIN_MODEL : this.model;
    const fallback = quirk === 'model-fallback' || quirk === 'fallback-tie' ? fallbackOf(model) : null;
    const messageId = `msg_01${this.rng.chars(BASE62, 22)}`;
    const requestId = `req_011C${this.rng.chars(BASE62, 18)}`;
    const usage = this.usageFor(options.call, fast);
    const blocks: Json[] = [];
    if (this.rng.chance(model.includes('opus') ? 0.5 : 0.2)) {
      blocks.push({ type: 'thinking', thinking: this.filler(this.rng.int(10, 120)), signature: 'Eq0B' });
    }
    if (!options.tool || this.rng.chance(0.75) || (fallback && blocks.length === 0)) {
      blocks.push({ type: 'text', text: this.filler(this.rng.int(3, 150)) });
    }
    const toolUseId = options.tool ? `toolu_01${this.rng.chars(BASE62, 22)}` : null;
    if (options.tool) blocks.push({ type: 'tool_use', id: toolUseId, name: options.tool, input: { path: this.cwd } });
    if (fallback && blocks.length < 2) blocks.push({ type: 'text', text: this.filler(this.rng.int(3, 40)) });

    const partialOutputs = blocks.slice(1).map(() => this.rng.int(1, 10));
    const highestPartial = Math.max(0, ...partialOutputs);
    // The final count is never below a partial one; on a tie the last line is the final one all the same.
    usage.output_tokens =
      quirk === 'fallback-tie' ? highestPartial : Math.max(usage.output_tokens as number, highestPartial);
    const partialUsage: Json = { ...usage };
    if (fallback) {
      // The other model's cache is cold: it writes what the first one read.
      const written = this.rng.int(2_000, 20_000);
      const split = usage.cache_creation as Json;
      usage.cache_creation_input_tokens = (usage.cache_creation_input_tokens as number) + written;
      usage.cache_creation = {
        ...split,
        ephemeral_5m_input_tokens: (split.ephemeral_5m_input_tokens as number) + written,
      };
    }

    const objects: Json[] = blocks.map((block, i) => {
      const line = this.common('assistant', options.sidechain);
      const last = i === blocks.length - 1;
      line.message = {
        id: messageId,
        type: 'message',
        role: 'assistant',
        model: last && fallback ? fallback : model,
        content: [block],
        stop_reason: last ? (options.tool ? 'tool_use' : 'end_turn') : null,
        stop_sequence: null,
        usage: last ? usage : { ...partialUsage, output_tokens: partialOutputs[i] },
      };
      line.requestId = requestId;
      line.timestamp = this.tick(i === 0 ? 1_500 : 50, i === 0 ? 30_000 : 2_000);
      return line;
    });
    if (quirk) applyQuirk(quirk, objects);

    const refused = quirk ? REFUSED_BY[quirk] : undefined;
    const lines = objects.map((object, i) => {
      const message = object.message as Json;
      const lineUsage = message.usage as Json;
      const keyed = typeof message.id === 'string' && typeof object.requestId === 'string';
      const named = typeof message.model === 'string' ? (message.model as string) : null;
      const meta: Omit<LineMeta, 'timestamp'> = quirk ? { quirk } : {};
      if (refused) meta.rejected = refused;
      else
        meta.usage = {
          key: keyed ? `${message.id as string}:${object.requestId as string}` : null,
          timestamp: object.timestamp as string,
          model: reportedModel(named, lineUsage.speed),
          rawModel: named,
          tokens: tokensOf(lineUsage),
          costUsd: typeof object.costUSD === 'number' ? object.costUSD : null,
          sessionId: this.sessionId,
          sidechain: options.sidechain !== null,
          synthetic: false,
          part: { index: i, of: objects.length },
        };
      return this.finish(object, meta);
    });
    if (quirk === 'repeated-line') lines.splice(1, 0, { ...lines[0]! });
    if (quirk === 'cut-line') lines[0] = cut(lines[0]!, this.rng, quirk);
    return { lines, toolUseId };
  }

  private nextQuirk(): Quirk | null {
    if (this.quirks.length > 0 && this.rng.chance(0.3)) return this.quirks.shift()!;
    return this.rng.chance(this.quirkRate) ? this.rng.pick(QUIRKS) : null;
  }

  /** A reply the CLI makes up itself (an interrupted turn, an API error): model `<synthetic>`, zero usage. */
  private synthetic(): CorpusLine {
    const apiError = this.rng.chance(0.5);
    const line = this.common('assistant', null);
    line.message = {
      id: this.rng.uuid(),
      model: '<synthetic>',
      role: 'assistant',
      stop_reason: 'stop_sequence',
      stop_sequence: '',
      type: 'message',
      usage: { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
      content: [
        { type: 'text', text: apiError ? 'API Error: 529 {"type":"overloaded_error"}' : 'No response requested.' },
      ],
    };
    line.isApiErrorMessage = apiError;
    line.timestamp = this.tick(500, 5_000);
    const zero = { inputTokens: 0, outputTokens: 0, cacheCreationTokens: 0, cacheReadTokens: 0 };
    return this.finish(line, {
      usage: {
        key: null,
        timestamp: line.timestamp as string,
        model: '<synthetic>',
        rawModel: '<synthetic>',
        tokens: { ...zero, cacheWrite1hTokens: 0 },
        costUsd: null,
        sessionId: this.sessionId,
        sidechain: false,
        synthetic: true,
        part: { index: 0, of: 1 },
      },
    });
  }

  private system(): CorpusLine {
    const line = this.common('system', null);
    const compact = this.context > contextLimitOf(this.model);
    Object.assign(
      line,
      compact
        ? { subtype: 'compact_boundary', content: 'Conversation compacted', compactMetadata: { trigger: 'auto' } }
        : { subtype: 'turn_duration', durationMs: this.rng.int(2_000, 600_000) },
      { level: 'info', isMeta: false },
    );
    if (compact) this.context = this.rng.int(15_000, 30_000);
    return this.finish(line);
  }

  private snapshot(): CorpusLine {
    const timestamp = new Date(this.clock).toISOString();
    const messageId = this.rng.uuid();
    return {
      text: JSON.stringify({
        type: 'file-history-snapshot',
        messageId,
        snapshot: { messageId, trackedFileBackups: {}, timestamp },
        isSnapshotUpdate: false,
      }),
      meta: { timestamp: null },
    };
  }

  /** A subagent's run: its prompt, then calls and tool results, all marked as sidechain. */
  private sidechainRun(): PendingSidechain {
    const agentId = this.rng.chars('0123456789abcdef', 8);
    const sidechain = { agentId };
    const mainParent = this.parent;
    this.parent = null;
    const lines = [this.userPrompt(sidechain)];
    const calls = this.rng.int(2, 6);
    for (let call = 1; call <= calls; call++) {
      const tool = call < calls ? this.rng.pick(['Read', 'Grep', 'Bash']) : null;
      const response = this.assistant({ sidechain, call, tool });
      lines.push(...response.lines);
      if (response.toolUseId && tool) lines.push(this.toolResult(sidechain, response.toolUseId, tool));
    }
    this.parent = mainParent;
    return { lines, agentId };
  }

  /**
   * A subagent's lines as its parent's file repeats them: all of them, or the first few (so that a response
   * may be there only in its partial lines). Lines with quirks are left out, keyless ones counting each time.
   */
  private repeatedInParent(run: PendingSidechain): CorpusLine[] {
    const plain = run.lines.filter((line) => !line.meta.quirk && !line.meta.malformed);
    if (this.rng.chance(0.4)) return plain;
    // Cut short after a partial line where there is one: the parent then has only that response's start.
    const partial = plain.flatMap((line, i) => {
      const part = line.meta.usage?.part;
      return part && part.index < part.of - 1 ? [i + 1] : [];
    });
    return plain.slice(0, partial.length > 0 ? this.rng.pick(partial) : this.rng.int(1, plain.length));
  }

  /** A user prompt and the calls that answer it, with what comes between them. */
  turn(): CorpusLine[] {
    const lines = [this.userPrompt(null)];
    if (this.rng.chance(0.3)) lines.push(this.snapshot());
    const calls = this.rng.int(1, 7);
    for (let call = 1; call <= calls; call++) {
      const tool = call < calls ? this.rng.weighted(TOOLS).name : null;
      const response = this.assistant({ sidechain: null, call, tool });
      lines.push(...response.lines);
      if (!response.toolUseId || !tool) continue;
      if (tool === 'Task') {
        const run = this.sidechainRun();
        if (this.version.subagentFiles) {
          this.subagentRuns.push(run);
          if (this.rng.chance(0.5)) lines.push(...this.repeatedInParent(run));
        } else lines.push(...run.lines);
      }
      lines.push(this.toolResult(null, response.toolUseId, tool));
    }
    if (this.rng.chance(0.06)) lines.push(this.synthetic());
    if (this.rng.chance(0.25) || this.context > contextLimitOf(this.model)) lines.push(this.system());
    return lines;
  }

  opening(): CorpusLine[] {
    const at = new Date(this.clock).toISOString();
    const queue = (operation: string) => ({
      text: JSON.stringify({ type: 'queue-operation', operation, timestamp: at, sessionId: this.sessionId }),
      meta: { timestamp: at },
    });
    return this.version.id.startsWith('2.1') ? [queue('enqueue'), queue('dequeue')] : [];
  }

  summary(): CorpusLine {
    return {
      text: JSON.stringify({ type: 'summary', summary: this.filler(6), leafUuid: this.rng.uuid() }),
      meta: { timestamp: null },
    };
  }
}

function tokensOf(usage: Json): LineTokens {
  const n = (value: unknown) => (typeof value === 'number' ? value : 0);
  const split = usage.cache_creation;
  return {
    inputTokens: n(usage.input_tokens),
    outputTokens: n(usage.output_tokens),
    cacheCreationTokens: n(usage.cache_creation_input_tokens),
    cacheWrite1hTokens: typeof split === 'object' && split !== null ? n((split as Json).ephemeral_1h_input_tokens) : 0,
    cacheReadTokens: n(usage.cache_read_input_tokens),
  };
}

/** The name reports give a model: the `[…]` tag dropped, lower case, `-fast` for fast mode; null for none. */
function reportedModel(raw: string | null, speed: unknown): string | null {
  const name = raw
    ?.replace(/\[[^\]]*\]$/, '')
    .trim()
    .toLowerCase();
  if (!name) return null;
  return speed === 'fast' && name !== '<synthetic>' ? `${name}-fast` : name;
}

/** A line cut short, as a crash mid-write leaves it: never JSON, since a prefix of an object is not. */
function cut(line: CorpusLine, rng: Random, quirk?: string): CorpusLine {
  const length = rng.int(1, line.text.length - 2);
  return { text: line.text.slice(0, length), meta: { timestamp: null, malformed: true, ...(quirk ? { quirk } : {}) } };
}

function applyQuirk(quirk: Quirk, lines: Json[]): void {
  for (const line of lines) {
    const message = line.message as Json;
    switch (quirk) {
      case 'no-request-id':
        delete line.requestId;
        break;
      case 'no-message-id':
        delete message.id;
        break;
      case 'no-model':
        delete message.model;
        break;
      case 'fast':
        message.usage = { ...(message.usage as Json), speed: 'fast' };
        break;
      case 'no-milliseconds':
        line.timestamp = (line.timestamp as string).replace(/\.\d{3}Z$/, 'Z');
        break;
      case 'no-cache-fields': {
        const {
          cache_creation_input_tokens: _w,
          cache_read_input_tokens: _r,
          cache_creation: _split,
          ...rest
        } = message.usage as Json;
        message.usage = rest;
        break;
      }
      case 'cost-usd':
        line.costUSD = 0.0421;
        break;
      case 'no-version':
        delete line.version;
        break;
      case 'offset-timestamp':
        line.timestamp = (line.timestamp as string).replace(/Z$/, '+00:00');
        break;
      case 'microsecond-timestamp':
        line.timestamp = (line.timestamp as string).replace(/Z$/, '123Z');
        break;
      case 'bad-version':
        line.version = 'dev-build';
        break;
      case 'empty-model':
        message.model = '';
        break;
      case 'null-model':
        message.model = null;
        break;
      case 'unknown-speed':
        message.usage = { ...(message.usage as Json), speed: 'priority' };
        break;
      case 'string-content':
        message.content = 'a reply written as a plain string';
        break;
      case 'null-cache-read':
        message.usage = { ...(message.usage as Json), cache_read_input_tokens: null };
        break;
      case 'string-input-tokens':
        message.usage = { ...(message.usage as Json), input_tokens: String((message.usage as Json).input_tokens) };
        break;
      case 'empty-session-id':
        line.sessionId = '';
        break;
      case 'null-request-id':
        line.requestId = null;
        break;
      case 'repeated-line':
      case 'cut-line':
      case 'model-fallback':
      case 'fallback-tie':
        break;
    }
  }
}

/** en-CA gives YYYY-MM-DD, as ccusage and Baton format a local date. */
const dateFormats = new Map<string, Intl.DateTimeFormat>();
export function localDate(at: string | number, timeZone: string): string {
  let format = dateFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dateFormats.set(timeZone, format);
  }
  return format.format(new Date(at));
}

/** The first instant at or after `from` whose local date differs from the one at `from`: a local midnight. */
function nextLocalMidnight(from: number, timeZone: string): number {
  const QUARTER = 15 * 60_000;
  // Every zone here is a whole number of quarter hours off UTC, so its midnight falls on a quarter hour.
  let at = Math.ceil(from / QUARTER) * QUARTER;
  const day = localDate(from, timeZone);
  while (localDate(at, timeZone) === day) at += QUARTER;
  return at;
}

function emptyShape(): CorpusShape {
  return {
    partialLines: 0,
    shortAtFirstLine: 0,
    firstLineOutputTokens: 0,
    finalOutputTokens: 0,
    modelChanged: 0,
    cacheWrite1h: 0,
    fast: 0,
    taggedModels: 0,
    longContext: 0,
    inSeveralFiles: 0,
    corrected: 0,
    files: 0,
    lines: 0,
    malformed: 0,
    partialTails: 0,
    usageLines: 0,
    messages: 0,
    duplicates: 0,
    keyless: 0,
    rejected: 0,
    sidechain: 0,
    synthetic: 0,
    sessions: 0,
    models: [],
  };
}

export class TranscriptCorpus {
  private readonly state: FileState[] = [];
  /**
   * The line each response written so far counts by, by its key (a keyless line's: its file, text and place
   * among its equals), as an importer that read every earlier state of the corpus has it.
   */
  private readonly finalSoFar = new Map<string, CorpusLine>();
  private readonly rng: Random;
  private readonly quirkRate: number;

  private constructor(
    readonly root: string,
    options: CorpusOptions,
  ) {
    this.rng = new Random(options.seed ?? 1);
    this.quirkRate = options.quirkRate ?? 0.004;
  }

  /** Generates the corpus into `<root>/projects` and returns it, to be inspected or changed. */
  static write(root: string, options: CorpusOptions = {}): TranscriptCorpus {
    const corpus = new TranscriptCorpus(root, options);
    corpus.generate(options);
    for (const file of corpus.state) corpus.flush(file);
    for (const file of corpus.readOrder()) corpus.readShape(file, file.lines);
    return corpus;
  }

  private generate(options: CorpusOptions): void {
    const sessions = options.sessions ?? 400;
    const meanLines = options.meanLinesPerSession ?? 230;
    const days = options.days ?? 60;
    const firstDay = Date.parse(`${options.firstDay ?? '2026-09-15'}T00:00:00.000Z`);
    const cwds = PROJECT_DIRS.slice(0, Math.max(1, Math.min(PROJECT_DIRS.length, options.projects ?? 8)));
    const partialTails = options.partialTails ?? 2;

    for (let index = 0; index < sessions; index++) {
      const rng = this.rng;
      const cwd = cwds[index % cwds.length]!;
      const sessionId = rng.uuid();
      const crossesMidnight = index % 4 === 1;
      let start = firstDay + Math.floor(rng.next() * days * 86_400_000);
      if (crossesMidnight) {
        // A few minutes before a local midnight, in each zone in turn, with short gaps so the session spans it.
        const zone = CORPUS_TIME_ZONES[Math.floor(index / 4) % CORPUS_TIME_ZONES.length]!;
        start = nextLocalMidnight(start, zone) - rng.int(2, 6) * 60_000;
      }
      const quirks = QUIRKS.filter((_, k) => k % sessions === index);
      const writer = new SessionWriter(rng, sessionId, cwd, start, quirks, this.quirkRate, crossesMidnight);
      const file = this.addFile('session', cwd, sessionId, `${sessionId}.jsonl`, writer);
      const resumed = index >= cwds.length && rng.chance(0.08) ? this.predecessorIn(cwd) : undefined;
      if (resumed) this.copyInto(file, resumed);
      else file.lines.push(...writer.opening());
      const target = Math.max(12, Math.round(-Math.log(1 - rng.next()) * meanLines));
      do this.appendTo(file, writer.turn());
      while (file.lines.length < target || writer.pendingQuirks > 0);
      if (index >= sessions - partialTails) this.leavePartialTail(file);
      this.addSubagentFiles(file);
    }
    // Files that hold nothing to count: one left empty, one with only a title.
    const cwd = cwds[0]!;
    this.addFile('empty', cwd, 'empty', `${this.rng.uuid()}.jsonl`, null);
    const titled = this.addFile('summary-only', cwd, 'summary-only', `${this.rng.uuid()}.jsonl`, null);
    titled.lines.push(new SessionWriter(this.rng, titled.sessionId, cwd, firstDay, [], 0).summary());
  }

  private addFile(
    kind: CorpusFileKind,
    cwd: string,
    sessionId: string,
    relative: string,
    writer: SessionWriter | null,
  ): FileState {
    const file: FileState = {
      path: path.join(this.root, 'projects', encodeProjectFolder(cwd), relative),
      kind,
      sessionId,
      cwd,
      lines: [],
      partial: null,
      heldBack: [],
      writer,
    };
    this.state.push(file);
    return file;
  }

  /** Cuts a line now and then anywhere, as an interrupted write does; quirks cut assistant lines too. */
  private appendTo(file: FileState, lines: CorpusLine[]): void {
    for (const line of lines) file.lines.push(this.rng.chance(0.001) ? cut(line, this.rng) : line);
  }

  private predecessorIn(cwd: string): FileState | undefined {
    const earlier = this.state.filter((f) => f.kind === 'session' && f.cwd === cwd && f.partial === null);
    return earlier.length > 1 ? earlier[earlier.length - 2] : undefined;
  }

  /**
   * A resumed session: a title, then the earlier session's conversation under the new session id, from
   * after its first counted line. Its earliest line is so later than the earlier file's (a tie would leave
   * the order to the file system), and the earlier copy is the one counted; for tokens it makes no
   * difference, the copies being alike.
   */
  private copyInto(file: FileState, from: FileState): void {
    const writer = file.writer!;
    file.lines.push(writer.summary());
    const first = from.lines.findIndex((line) => line.meta.usage !== undefined);
    for (const line of from.lines.slice(first + 1)) {
      if (line.meta.quirk || line.meta.malformed) continue;
      const json = JSON.parse(line.text) as Json;
      if (json.sessionId !== undefined) json.sessionId = file.sessionId;
      const usage = line.meta.usage ? { ...line.meta.usage, sessionId: file.sessionId } : undefined;
      file.lines.push({ text: JSON.stringify(json), meta: { ...line.meta, ...(usage ? { usage } : {}) } });
    }
    const last = from.lines.findLast((line) => line.meta.timestamp !== null);
    if (last?.meta.timestamp) writer.resumeAfter(Date.parse(last.meta.timestamp));
  }

  private leavePartialTail(file: FileState): void {
    const line = file.writer!.turn().find((l) => l.meta.usage) ?? file.lines.pop()!;
    file.partial = { line, partialLength: Math.floor(line.text.length / 2) };
  }

  private addSubagentFiles(parent: FileState): void {
    for (const run of parent.writer?.subagentRuns.splice(0) ?? []) {
      const relative = path.join(parent.sessionId, 'subagents', `agent-${run.agentId}.jsonl`);
      this.addFile('subagent', parent.cwd, parent.sessionId, relative, null).lines.push(...run.lines);
    }
  }

  private flush(file: FileState): void {
    mkdirSync(path.dirname(file.path), { recursive: true });
    const whole = file.lines.map((line) => `${line.text}\n`).join('');
    writeFileSync(file.path, whole + (file.partial ? file.partial.line.text.slice(0, file.partial.partialLength) : ''));
  }

  private find(file: string): FileState {
    const found = this.state.find((f) => f.path === file);
    if (!found) throw new Error(`${file} is not a file of this corpus`);
    return found;
  }

  /** The files in the order an import takes them: by their paths. */
  private readOrder(): FileState[] {
    return [...this.state].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /**
   * What an importer that read everything before makes of `lines`, the part of `file` it has not read: per
   * response, the file's final line among them; a response it did not know is a message, and one it knew
   * is corrected where that line ranks above the one it counted (more output tokens, or as many with other
   * figures), and a duplicate otherwise, as is every other line of a response in the file.
   */
  private readShape(file: FileState, lines: CorpusLine[], counted = this.finalSoFar): ReadShape {
    const keys = keysOf(file, lines, file.lines.length - lines.length);
    const finals = new Map<string, CorpusLine>();
    lines
      .filter((line) => line.meta.usage)
      .forEach((line, i) => {
        const known = finals.get(keys[i]!);
        if (!known || outputOf(line) >= outputOf(known)) finals.set(keys[i]!, line);
      });
    const shape = {
      lines: lines.length,
      malformed: lines.filter((line) => line.meta.malformed).length,
      messages: 0,
      duplicates: keys.length - finals.size,
      corrected: 0,
    };
    for (const [key, line] of finals) {
      const before = counted.get(key);
      if (!before) shape.messages++;
      else if (
        outputOf(before) < outputOf(line) ||
        (outputOf(before) === outputOf(line) && figuresDiffer(before, line))
      ) {
        shape.corrected++;
      } else {
        shape.duplicates++;
        continue;
      }
      counted.set(key, line);
    }
    return shape;
  }

  get files(): readonly CorpusFile[] {
    return this.state.map(({ path: file, kind, sessionId, cwd }) => ({ path: file, kind, sessionId, cwd }));
  }

  /** What is on disk now, as one import of the whole corpus (or one ccusage run) sees it. */
  shape(): CorpusShape {
    const shape = emptyShape();
    const { counted, firstLines, files } = this.count();
    shape.files = this.state.length;
    for (const file of this.state) {
      shape.lines += file.lines.length;
      if (file.partial) shape.partialTails++;
      for (const line of file.lines) {
        if (line.meta.malformed) shape.malformed++;
        if (line.meta.rejected) shape.rejected++;
        if (line.meta.usage) shape.usageLines++;
        if (line.meta.usage?.key && line.meta.usage.part.index < line.meta.usage.part.of - 1) shape.partialLines++;
      }
    }
    shape.messages = counted.length;
    // One import of everything, file by file: a response whose final line is in a later file is corrected.
    const imported = new Map<string, CorpusLine>();
    for (const file of this.readOrder()) shape.corrected += this.readShape(file, file.lines, imported).corrected;
    shape.duplicates = shape.usageLines - counted.length - shape.corrected;
    shape.keyless = counted.filter((m) => m.key === null).length;
    shape.sidechain = counted.filter((m) => m.sidechain).length;
    shape.synthetic = counted.filter((m) => m.model === '<synthetic>').length;
    shape.sessions = new Set(counted.map((m) => m.sessionId)).size;
    shape.models = [...new Set(counted.map((m) => m.model ?? 'unknown'))].sort();
    for (const message of counted) {
      const first = message.key ? firstLines.get(message.key)! : message;
      shape.firstLineOutputTokens += first.tokens.outputTokens;
      shape.finalOutputTokens += message.tokens.outputTokens;
      if (message.tokens.outputTokens > first.tokens.outputTokens) shape.shortAtFirstLine++;
      if (first.model !== message.model) shape.modelChanged++;
      if (message.tokens.cacheWrite1hTokens > 0) shape.cacheWrite1h++;
      if (message.model?.endsWith('-fast')) shape.fast++;
      if (message.rawModel?.endsWith(']')) shape.taggedModels++;
      const { inputTokens, cacheCreationTokens, cacheReadTokens } = message.tokens;
      if (inputTokens + cacheCreationTokens + cacheReadTokens > 200_000) shape.longContext++;
      if (message.key && (files.get(message.key)?.size ?? 0) > 1) shape.inSeveralFiles++;
    }
    return shape;
  }

  /**
   * The responses that count, each by its final line: files by their paths, lines in order,
   * per message id + request id pair the line with the highest output count (the last one on a tie), and
   * every line that lacks the pair. Also each pair's first line (what a first-line count takes) and files.
   */
  private count(): {
    counted: Array<CountedMessage & { rawModel: string | null }>;
    firstLines: Map<string, Omit<CountedMessage, 'file'>>;
    files: Map<string, Set<string>>;
  } {
    const slotOf = new Map<string, number>();
    const firstLines = new Map<string, Omit<CountedMessage, 'file'>>();
    const files = new Map<string, Set<string>>();
    const counted: Array<CountedMessage & { rawModel: string | null }> = [];
    for (const file of this.readOrder()) {
      for (const line of file.lines) {
        const usage = line.meta.usage;
        if (!usage) continue;
        const { synthetic: _synthetic, part: _part, ...message } = usage;
        const entry = { ...message, file: file.path };
        if (usage.key === null) {
          counted.push(entry);
          continue;
        }
        if (!files.has(usage.key)) files.set(usage.key, new Set());
        files.get(usage.key)!.add(file.path);
        const slot = slotOf.get(usage.key);
        if (slot === undefined) {
          slotOf.set(usage.key, counted.length);
          firstLines.set(usage.key, message);
          counted.push(entry);
        } else if (usage.tokens.outputTokens >= counted[slot]!.tokens.outputTokens) {
          counted[slot] = entry;
        }
      }
    }
    return { counted, firstLines, files };
  }

  /** The responses that count, each by its final line, in the order their first lines are read. */
  countedMessages(): CountedMessage[] {
    return this.count().counted.map(({ rawModel: _raw, ...message }) => message);
  }

  /** Tokens per local date and model of the final lines: no `<synthetic>`, `unknown` for no model. */
  dailyByModel(timeZone: string): DailyModelRow[] {
    const rows = new Map<string, DailyModelRow>();
    for (const message of this.countedMessages()) {
      if (message.model === '<synthetic>') continue;
      const date = localDate(message.timestamp, timeZone);
      const model = message.model ?? 'unknown';
      const key = `${date} ${model}`;
      const row = rows.get(key) ?? {
        date,
        model,
        inputTokens: 0,
        outputTokens: 0,
        cacheCreationTokens: 0,
        cacheWrite1hTokens: 0,
        cacheReadTokens: 0,
      };
      row.inputTokens += message.tokens.inputTokens;
      row.outputTokens += message.tokens.outputTokens;
      row.cacheCreationTokens += message.tokens.cacheCreationTokens;
      row.cacheWrite1hTokens += message.tokens.cacheWrite1hTokens;
      row.cacheReadTokens += message.tokens.cacheReadTokens;
      rows.set(key, row);
    }
    return [...rows.values()].sort((a, b) => a.date.localeCompare(b.date) || a.model.localeCompare(b.model));
  }

  /**
   * The session goes on: finishes a line left half-written and writes lines held back, then adds `turns`
   * turns (and their subagent files). With `endWithPartialLine`, the last line written is cut short, as
   * while it is being written. With `endMidResponse`, the file stops after the partial lines of a response
   * (the last one written in several lines): its final line comes with the next call.
   */
  appendTurns(
    file: string,
    turns: number,
    options: { endWithPartialLine?: boolean; endMidResponse?: boolean } = {},
  ): ReadShape {
    const target = this.find(file);
    const writer = target.writer;
    if (!writer) throw new Error(`${file} is a ${target.kind} file; only session files go on`);
    const added: CorpusLine[] = [];
    if (target.partial) added.push(target.partial.line);
    target.partial = null;
    added.push(...target.heldBack.splice(0));
    for (let i = 0; i < turns; i++) added.push(...writer.turn());
    if (options.endMidResponse) {
      const at = added.findLastIndex(isFinalAfterPartials);
      if (at < 0) throw new Error('no response in several lines among the turns added; add more turns');
      target.heldBack = added.splice(at);
    }
    if (options.endWithPartialLine) {
      const line = added.pop()!;
      target.partial = { line, partialLength: Math.floor(line.text.length / 2) };
    }
    target.lines.push(...added);
    this.flush(target);
    const shape = this.readShape(target, added);
    const known = this.state.length;
    this.addSubagentFiles(target);
    for (const subagent of this.state.slice(known)) {
      this.flush(subagent);
      const more = this.readShape(subagent, subagent.lines);
      shape.lines += more.lines;
      shape.malformed += more.malformed;
      shape.messages += more.messages;
      shape.duplicates += more.duplicates;
      shape.corrected += more.corrected;
    }
    return shape;
  }

  /** The file shrinks to its first `keepLines` whole lines (a half-written last line goes too). */
  truncate(file: string, keepLines: number): ReadShape {
    const target = this.find(file);
    target.lines.splice(keepLines);
    target.partial = null;
    target.heldBack = [];
    this.flush(target);
    return this.readShape(target, target.lines);
  }

  /**
   * The file is written anew: its first `dropFirstLines` lines gone (so its first bytes differ), then
   * `addTurns` more turns; it may end up larger than before, so only its head tells it was rewritten.
   */
  rewrite(file: string, options: { dropFirstLines: number; addTurns?: number }): ReadShape {
    // Kept whole, with lines only added, the file would read as one that grew: that is appendTurns.
    if (options.dropFirstLines < 1) throw new Error('a rewrite drops at least the first line');
    const target = this.find(file);
    target.lines.splice(0, options.dropFirstLines);
    if (target.partial) target.lines.push(target.partial.line);
    target.partial = null;
    target.lines.push(...target.heldBack.splice(0));
    for (let i = 0; i < (options.addTurns ?? 0) && target.writer; i++) target.lines.push(...target.writer.turn());
    this.flush(target);
    return this.readShape(target, target.lines);
  }
}

/** The final line of a keyed response written in several lines, above its partial lines' output counts. */
function isFinalAfterPartials(line: CorpusLine): boolean {
  const usage = line.meta.usage;
  return (
    usage !== undefined &&
    usage.key !== null &&
    !line.meta.quirk &&
    usage.part.of > 1 &&
    usage.part.index === usage.part.of - 1 &&
    usage.tokens.outputTokens > 10
  );
}

const outputOf = (line: CorpusLine) => line.meta.usage!.tokens.outputTokens;

/** Whether two lines of a response count for another model, speed or tokens. */
function figuresDiffer(a: CorpusLine, b: CorpusLine): boolean {
  const x = a.meta.usage!;
  const y = b.meta.usage!;
  return x.model !== y.model || JSON.stringify(x.tokens) !== JSON.stringify(y.tokens);
}

/**
 * The keys of a file's counted lines: a pair as it is, a keyless line by its file, its text and how many
 * equal lines come before it in the file (`offset` being the index of the first of `lines` in the file).
 */
function keysOf(file: FileState, lines: CorpusLine[], offset = 0): string[] {
  const keys: string[] = [];
  for (const [i, line] of lines.entries()) {
    const usage = line.meta.usage;
    if (!usage) continue;
    if (usage.key !== null) {
      keys.push(usage.key);
      continue;
    }
    const before = file.lines.slice(0, offset + i).filter((l) => l.text === line.text).length;
    keys.push(`${file.path}#${line.text}#${before}`);
  }
  return keys;
}
