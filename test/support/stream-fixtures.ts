/**
 * What the agent stream-parser tests share: reading a captured output from
 * test/fixtures, running it through a parser line by line, and picking events out.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { AgentEvent } from '../../src-main/contract/agent-events';
import type { ParsedAgentLine } from '../../src-main/core/agents/agent-supervision';

/** A file of test/fixtures, as text. */
export const fixture = (name: string) => readFileSync(path.join(__dirname, '..', 'fixtures', name), 'utf8');

/** Every line of `text` through one parser: the events in order, and the lines it refused. */
export function parseLines<P extends { parseLine(line: string): ParsedAgentLine }>(text: string, parser: P) {
  const parsed = text.split('\n').map((line) => parser.parseLine(line));
  return {
    parser,
    events: parsed.flatMap((line) => (line.ok ? line.events : [])),
    errors: parsed.flatMap((line) => (line.ok ? [] : [line.error])),
  };
}

export const kindsOf = (events: AgentEvent[]) => events.map((e) => e.kind);

export const ofKind = <K extends AgentEvent['kind']>(events: AgentEvent[], kind: K) =>
  events.filter((e): e is Extract<AgentEvent, { kind: K }> => e.kind === kind);
