/**
 * Settings' list of models: each model Baton has usage of, suggests or was given a price for, once per agent,
 * with the rates it is charged at and where they come from. Rates are checked against Anthropic's list prices
 * for Claude Sonnet 4.5 (USD per million tokens: $3 input, $15 output, $3.75 5-minute and $6 1-hour cache
 * writes, $0.30 cache reads; twice input and 1.5× output above 200k input tokens).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../migrations';
import { modelPriceListSchema } from '../../src-main/contract/prices';
import { modelPriceList } from '../../src-main/core/model-price-list';
import { openDataSource } from '../../src-main/core/store/data-source';
import { modelsWithUsage } from '../../src-main/core/store/known-models';

const SONNET = { input: 3, output: 15, cacheWrite: 3.75, cacheWrite1h: 6, cacheRead: 0.3 };
const SONNET_LONG = { input: 6, output: 22.5, cacheWrite: 7.5, cacheWrite1h: 12, cacheRead: 0.6 };

let dir: string;
let ds: DataSource;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'baton-model-prices-'));
  ds = await openDataSource({ file: path.join(dir, 'baton.db'), migrations: MIGRATIONS });
  await ds.query(`INSERT INTO projects VALUES ('p1', 'app', '/work/app', 1000)`);
  await ds.query(
    `INSERT INTO tasks (id, project_id, title, prompt, agent, model, spec, status, created_at) VALUES
       ('t1', 'p1', 't', 'p', 'claude', NULL, '{}', 'completed', 2000),
       ('t2', 'p1', 't', 'p', 'claude-code', NULL, '{}', 'completed', 2000)`,
  );
  let iteration = 0;
  const session = (id: string, task: string, model: string | null, speed = 'standard') =>
    ds.query(
      `INSERT INTO sessions (session_id, task_id, iteration, status, started_at, model, speed)
       VALUES (?, ?, ?, 'completed', 3000, ?, ?)`,
      [id, task, ++iteration, model, speed],
    );
  await session('s1', 't1', 'claude-sonnet-4-5');
  await session('s2', 't1', 'claude-sonnet-4-5');
  await session('s3', 't2', 'acme-1');
  await session('s4', 't1', 'claude-opus-4-6', 'fast');
  await session('s5', 't1', null);
  await ds.query(
    `INSERT INTO usage_messages (dedup_key, agent, file_path, model, at, input_tokens, output_tokens,
       cache_creation_tokens, cache_read_tokens, cost_source, baton) VALUES
       ('a:1', 'claude', '/f', 'claude-sonnet-4-5', 1, 1, 1, 0, 0, 'estimated', 0),
       ('a:2', 'codex', '/g', 'gpt-5.5', 1, 1, 1, 0, 0, 'estimated', 0),
       ('a:3', 'claude', '/f', 'claude-haiku-9', 1, 1, 1, 0, 0, 'estimated', 1)`,
  );
});

afterAll(async () => {
  await ds.destroy();
  rmSync(dir, { recursive: true, force: true });
});

describe('the models Baton has usage of', () => {
  it('are each run model by its task’s agent and each imported one, at the speed served, once each', () => {
    const seen = modelsWithUsage(ds).map((s) => `${s.seenIn} ${s.agent} ${s.model}`);
    expect(seen.sort()).toEqual([
      'imports claude claude-sonnet-4-5',
      'imports codex gpt-5.5',
      'runs claude acme-1',
      'runs claude claude-opus-4-6-fast',
      'runs claude claude-sonnet-4-5',
    ]);
  });
});

describe('the price list', () => {
  const list = () =>
    modelPriceList(
      {
        'GPT-5.5': { input: 1, output: 2, cacheWrite: 1, cacheRead: 0.1 },
        'my-local-model': { input: 0, output: 0, cacheWrite: 0, cacheRead: 0 },
      },
      modelsWithUsage(ds),
    ).models;
  const row = (model: string) => list().find((m) => m.model === model);

  it('prices a model from the data at its list rates, long context included, and says so', () => {
    expect(row('claude-sonnet-4-5')).toEqual({
      model: 'claude-sonnet-4-5',
      agent: 'claude',
      seenIn: ['runs', 'imports', 'suggested'],
      source: 'data',
      rates: SONNET,
      longContext: [{ above: 200_000, rates: SONNET_LONG }],
    });
  });

  it('says where a price is the user’s own, for a model in use and for one only priced', () => {
    expect(row('gpt-5.5')).toMatchObject({
      agent: 'codex',
      seenIn: ['imports', 'suggested', 'setting'],
      source: 'setting',
      rates: { input: 1, output: 2, cacheWrite: 1, cacheWrite1h: 2, cacheRead: 0.1 },
      longContext: [],
    });
    expect(row('my-local-model')).toMatchObject({ agent: null, seenIn: ['setting'], source: 'setting' });
  });

  it('lists a model without a price as having none, fast usage apart from its model', () => {
    expect(row('acme-1')).toMatchObject({ seenIn: ['runs'], source: 'none', rates: null, longContext: [] });
    expect(row('claude-opus-4-6-fast')).toMatchObject({ seenIn: ['runs'], source: 'none', rates: null });
  });

  it('puts the models in use first, each once, then the suggested ones', () => {
    const models = list().map((m) => m.model);
    expect(new Set(models).size).toBe(models.length);
    const firstUnused = list().findIndex((m) => !m.seenIn.includes('runs') && !m.seenIn.includes('imports'));
    expect(models.slice(0, firstUnused).sort()).toEqual([
      'acme-1',
      'claude-opus-4-6-fast',
      'claude-sonnet-4-5',
      'gpt-5.5',
    ]);
    expect(models).toContain('gemini-2.5-pro');
    // A Baton session's own transcript lines are counted by its record, not listed again.
    expect(models).not.toContain('claude-haiku-9');
  });

  it('is what the contract says listModelPrices answers', () => {
    expect(() => modelPriceListSchema.parse({ models: list() })).not.toThrow();
  });
});
