/**
 * Writing a file's responses into usage_messages: each response once, at its final line. A known key is
 * replaced only by a line that ranks above it, so partial lines read later never undo a final one.
 */
import type { Connection } from '../store/write-transaction';
import type { TranscriptAgent } from './transcript-files';
import type { UsageEntry } from './transcript-lines';

export interface Place {
  agent: TranscriptAgent;
  file: string;
  sessionId: string | null;
  project: string | null;
}

/**
 * Stores a response's line: a new key is a new message; a known one is replaced only by a line that ranks
 * above it (more output tokens, or as many and different figures: a later line of the same response), or when
 * the stored row was counted under the old first-line rule. So a response whose partial line was imported
 * while its transcript was still being written is corrected when its final line arrives, never added twice.
 * Costs are not stored: reports price the tokens at read time, so a price set later applies to them too.
 */
export function usageWriter(db: Connection) {
  const batonSession = batonSessionLookup(db);
  const columns = [
    'agent',
    'file_path',
    'session_id',
    'project',
    'model',
    'speed',
    'at',
    'input_tokens',
    'output_tokens',
    'cache_creation_tokens',
    'cache_write_1h_tokens',
    'cache_read_tokens',
    'cost_usd',
    'cost_source',
    'sidechain',
    'baton',
  ];
  const compared = [
    'model',
    'speed',
    'input_tokens',
    'cache_creation_tokens',
    'cache_write_1h_tokens',
    'cache_read_tokens',
  ];
  const insert = db.prepare(
    // Only a known key is passed over: any other constraint a row breaks is an error, not a quiet "duplicate".
    `INSERT INTO usage_messages (dedup_key, ${columns.join(', ')})
     VALUES (?, ${columns.map(() => '?').join(', ')}) ON CONFLICT (dedup_key) DO NOTHING`,
  );
  // Parameters: the columns in order, the key, the output count twice, then the compared columns.
  const replace = db.prepare(
    `UPDATE usage_messages SET ${columns.map((c) => `${c} = ?`).join(', ')}, legacy = 0
     WHERE dedup_key = ? AND (legacy = 1 OR output_tokens < ?
       OR (output_tokens = ? AND (${compared.map((c) => `${c} IS NOT ?`).join(' OR ')})))`,
  );
  // A row from before the final-usage rule whose line reads the same now: only its mark changes.
  const confirm = db.prepare(
    `UPDATE usage_messages SET legacy = 0
     WHERE dedup_key = ? AND legacy = 1 AND output_tokens = ? AND ${compared.map((c) => `${c} IS ?`).join(' AND ')}`,
  );
  const at = (column: string) => columns.indexOf(column);
  return {
    write(key: string, entry: UsageEntry, place: Place): 'messages' | 'corrected' | 'duplicates' {
      const u = entry.usage;
      const row = [
        place.agent,
        place.file,
        place.sessionId,
        place.project,
        entry.model,
        entry.speed,
        entry.at,
        u.inputTokens,
        u.outputTokens,
        u.cacheCreationTokens,
        u.cacheWrite1hTokens,
        u.cacheReadTokens,
        entry.costUsd,
        entry.costUsd !== null ? 'agent' : 'estimated',
        entry.sidechain ? 1 : 0,
        place.sessionId !== null && batonSession(place.sessionId) ? 1 : 0,
      ];
      if (insert.run(key, ...row).changes > 0) return 'messages';
      const output = row[at('output_tokens')];
      const figures = compared.map((c) => row[at(c)]);
      if (confirm.run(key, output, ...figures).changes > 0) return 'duplicates';
      const changed = replace.run(...row, key, output, output, ...figures);
      return changed.changes > 0 ? 'corrected' : 'duplicates';
    },
  };
}

/**
 * Whether a session id is one of Baton's own runs: a session's id, its agent's own id, or an earlier
 * attempt's id in a retried session's log. Asked once per session id in an import.
 */
function batonSessionLookup(db: Connection): (sessionId: string) => boolean {
  const known = new Map<string, boolean>();
  const byId = db.prepare(`SELECT 1 FROM sessions WHERE session_id = ?`);
  const byAgentId = db.prepare(`SELECT 1 FROM sessions WHERE agent_session_id = ?`);
  const byRetry = db.prepare(
    `SELECT 1 FROM sessions INDEXED BY idx_sessions_retried WHERE retry_log IS NOT NULL AND instr(retry_log, ?) > 0`,
  );
  return (sessionId) => {
    let found = known.get(sessionId);
    if (found === undefined) {
      found = Boolean(byId.get(sessionId) ?? byAgentId.get(sessionId) ?? byRetry.get(sessionId));
      known.set(sessionId, found);
    }
    return found;
  };
}
