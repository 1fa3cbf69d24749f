/**
 * Costs follow prices: when the user's model prices change, every finished session whose cost was computed
 * from its tokens is priced again, so History, the task pages and All usage show what the new prices say
 * (All usage prices at read time; History sums the stored costs through its rollup, whose triggers follow).
 * An agent's own figure stays as the agent gave it; only the computed cost kept beside it is redone.
 */
import type { DataSource } from 'typeorm';
import type { ServiceSpeed } from '../../contract/models';
import type { AgentKind } from '../../contract/task-spec';
import type { CostSource, ModelPrices } from '../../contract/views';
import { pricingWith, type Pricing } from '../pricing';
import { writeTransaction } from './write-transaction';

interface PricedRow {
  id: number;
  agent: AgentKind;
  model: string | null;
  i: number;
  o: number;
  cw: number;
  cw1h: number;
  cr: number;
  speed: ServiceSpeed;
  source: CostSource;
  cost: number;
  computed: number | null;
}

/** Prices every finished session again with `prices`; returns how many rows changed. */
export function repriceSessions(dataSource: DataSource, prices: ModelPrices): number {
  const pricings = new Map<string, Pricing>();
  const pricingOf = (agent: AgentKind) => {
    let pricing = pricings.get(agent);
    if (!pricing) pricings.set(agent, (pricing = pricingWith(prices, agent)));
    return pricing;
  };
  return writeTransaction(dataSource, (db) => {
    const rows = db
      .prepare(
        `SELECT s.id, t.agent, COALESCE(s.model, t.model) AS model, s.input_tokens AS i, s.output_tokens AS o,
                s.cache_creation_tokens AS cw, s.cache_write_1h_tokens AS cw1h, s.cache_read_tokens AS cr,
                s.speed AS speed, s.cost_source AS source, s.cost_usd AS cost, s.computed_cost_usd AS computed
         FROM sessions s JOIN tasks t ON t.id = s.task_id WHERE s.status <> 'running'`,
      )
      .all() as PricedRow[];
    const update = db.prepare(`UPDATE sessions SET cost_usd = ?, computed_cost_usd = ?, cost_source = ? WHERE id = ?`);
    let changed = 0;
    for (const row of rows) {
      const computed = pricingOf(row.agent).costOf(
        row.model,
        {
          inputTokens: row.i,
          outputTokens: row.o,
          cacheCreationTokens: row.cw,
          cacheWrite1hTokens: row.cw1h,
          cacheReadTokens: row.cr,
        },
        { speed: row.speed },
      );
      const agentCost = row.source === 'agent';
      const cost = agentCost ? row.cost : (computed ?? 0);
      const source: CostSource = agentCost ? 'agent' : computed === null ? 'unknown' : 'estimated';
      if (cost === row.cost && computed === row.computed && source === row.source) continue;
      update.run(cost, computed, source, row.id);
      changed++;
    }
    return changed;
  });
}
