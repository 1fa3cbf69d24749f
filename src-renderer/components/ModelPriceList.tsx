/**
 * Settings' list of the models Baton knows of: what each is charged per million tokens, and where that price
 * comes from (the user's own, the price data Baton ships, or none, whose usage then counts as unknown cost).
 */
import { AGENT_LABELS, formatRate, type KnownModel, type PriceSource } from '../contract';
import { errorMessage } from '../errors';
import { useRead } from '../hooks/use-read';
import { type ColumnHeading, ColumnHeadings } from './ColumnHeadings';

const SOURCE_TEXT: Record<PriceSource, string> = {
  setting: 'Your price',
  data: 'Price data',
  none: 'No price',
};
const SOURCE_TITLE: Record<PriceSource, string> = {
  setting: 'Set under "Model prices" above: it wins over the price data.',
  data: 'From the price data Baton ships (genai-prices), for this model at its provider.',
  none: 'Neither the price data nor your prices know this model: its usage counts as unknown cost until you set one.',
};
const SEEN_TEXT: Record<KnownModel['seenIn'][number], string> = {
  runs: 'your tasks',
  imports: 'imported transcripts',
  suggested: 'the launch form’s suggestions',
  setting: 'your prices',
};

const COLUMNS: readonly ColumnHeading[] = [
  { label: 'Model' },
  { label: 'Input', numeric: true },
  { label: 'Output', numeric: true },
  { label: 'Cache write 5 min / 1 h', numeric: true, title: '5-minute / 1-hour cache writes' },
  { label: 'Cache read', numeric: true },
  { label: 'Price from' },
];

const thousands = (tokens: number) => `${Math.round(tokens / 1000)}k`;

function LongContext({ model }: { model: KnownModel }) {
  if (model.longContext.length === 0) return null;
  return (
    <div className="muted price-tier">
      {model.longContext.map(({ above, rates }) => (
        <span key={above}>
          above {thousands(above)} input tokens: input {formatRate(rates.input)}, output {formatRate(rates.output)}
        </span>
      ))}
    </div>
  );
}

export function ModelPriceList({ onSetOwn }: { onSetOwn(model: KnownModel): void }) {
  const list = useRead('listModelPrices', {});
  return (
    <section className="model-price-list" aria-labelledby="known-models-title">
      <h3 id="known-models-title">Known models</h3>
      <p className="muted">
        What each model is charged, in USD per million tokens, and where the price comes from. Models your tasks or
        imported transcripts used come first.
      </p>
      {list.isPending ? <p className="muted">Loading the models…</p> : null}
      {list.error ? (
        <p role="alert" className="field-error">
          Could not list the models: {errorMessage(list.error)}
        </p>
      ) : null}
      {list.data?.models.length === 0 ? <p className="muted">No models yet.</p> : null}
      {list.data && list.data.models.length > 0 ? (
        <table className="price-table">
          <thead>
            <tr>
              <ColumnHeadings columns={COLUMNS} />
            </tr>
          </thead>
          <tbody>
            {list.data.models.map((model) => (
              <tr key={`${model.agent ?? ''} ${model.model}`} data-testid="known-model" data-source={model.source}>
                <th scope="row">
                  <span className="model-name">{model.model}</span>
                  <span className="muted model-seen">
                    {model.agent ? `${AGENT_LABELS[model.agent]} · ` : ''}
                    {model.seenIn.map((seen) => SEEN_TEXT[seen]).join(', ')}
                  </span>
                  <LongContext model={model} />
                </th>
                {model.rates ? (
                  <>
                    <td className="num">{formatRate(model.rates.input)}</td>
                    <td className="num">{formatRate(model.rates.output)}</td>
                    <td className="num">
                      {formatRate(model.rates.cacheWrite)} / {formatRate(model.rates.cacheWrite1h)}
                    </td>
                    <td className="num">{formatRate(model.rates.cacheRead)}</td>
                  </>
                ) : (
                  <td colSpan={4} className="muted">
                    unknown: its usage counts as unknown cost
                  </td>
                )}
                <td title={SOURCE_TITLE[model.source]}>
                  <span className={`price-source price-source-${model.source}`}>{SOURCE_TEXT[model.source]}</span>
                  {model.source === 'setting' ? null : (
                    <button
                      type="button"
                      className="link-button"
                      aria-label={`Set your own price for ${model.model}`}
                      onClick={() => onSetOwn(model)}
                    >
                      Set your own
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
