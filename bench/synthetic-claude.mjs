#!/usr/bin/env node
/* global process, setInterval, clearInterval */
// A stand-in for the claude binary, for the live-latency benchmark only: it
// prints stream-json text events at a fixed rate, each stamped with the wall
// clock time it was written, so the page can measure event-to-screen latency.
const rate = Number(process.env.SYNTHETIC_EVENTS_PER_SECOND ?? 1000);
const seconds = Number(process.env.SYNTHETIC_SECONDS ?? 5);
const sessionId = process.argv[process.argv.indexOf('--session-id') + 1];
const out = (line) => process.stdout.write(`${JSON.stringify(line)}\n`);

out({ type: 'system', subtype: 'init', session_id: sessionId, model: 'synthetic', cwd: process.cwd(), tools: [] });
const total = rate * seconds;
const start = Date.now();
let sent = 0;
const timer = setInterval(() => {
  const due = Math.min(total, Math.floor(((Date.now() - start) / 1000) * rate));
  for (; sent < due; sent++) {
    out({
      type: 'assistant',
      message: { id: `m${sent}`, content: [{ type: 'text', text: `tick ${Date.now()} #${sent}` }] },
    });
  }
  if (sent >= total) {
    clearInterval(timer);
    out({
      type: 'result',
      subtype: 'success',
      is_error: false,
      num_turns: total,
      duration_ms: Date.now() - start,
      duration_api_ms: 0,
      result: 'done',
      total_cost_usd: 0,
      usage: { input_tokens: 0, output_tokens: 0 },
    });
  }
}, 5);
