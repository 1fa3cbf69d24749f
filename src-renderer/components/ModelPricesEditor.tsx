import { inputIssuesOf, modelPriceSchema, modelPricesSchema, type ModelPrices } from '../contract';
import { sentence } from '../text';

/**
 * The prices of a model, as the contract names them, with what the form calls them. The 1-hour cache write may
 * be left blank: it is then twice the input, as Anthropic prices it, and follows the input when that changes.
 */
export const PRICE_KINDS = [
  { key: 'input', label: 'Input' },
  { key: 'output', label: 'Output' },
  { key: 'cacheWrite', label: 'Cache write 5 min' },
  { key: 'cacheWrite1h', label: 'Cache write 1 h', placeholder: '2× input' },
  { key: 'cacheRead', label: 'Cache read' },
] as const;
export type PriceKind = (typeof PRICE_KINDS)[number]['key'];

/** One model's row in the editor, as typed. */
export type PriceRow = { model: string } & Record<PriceKind, string>;
export type PriceRowErrors = Partial<Record<'model' | PriceKind, string>>;

export const emptyPriceRow = (): PriceRow => ({
  model: '',
  input: '',
  output: '',
  cacheWrite: '',
  cacheWrite1h: '',
  cacheRead: '',
});

/** The settings' prices as rows, by model name. */
export function priceRows(prices: ModelPrices | undefined): PriceRow[] {
  return Object.entries(prices ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([model, p]) => ({
      model,
      input: String(p.input),
      output: String(p.output),
      cacheWrite: String(p.cacheWrite),
      cacheWrite1h: p.cacheWrite1h === undefined ? '' : String(p.cacheWrite1h),
      cacheRead: String(p.cacheRead),
    }));
}

/** A typed price: blank is no price, which the schema refuses as "not a number" like any other text. */
const typedPrice = (text: string): number | undefined => (text.trim() === '' ? undefined : Number(text.trim()));

/**
 * The rows as the settings' modelPrices, checked with the contract's own schemas, or each row's
 * messages on its fields (by row index). A model named twice (names compare without case) is refused
 * on the second row.
 */
export function validatePriceRows(
  rows: readonly PriceRow[],
): { prices: ModelPrices; errors: null } | { prices: null; errors: Record<number, PriceRowErrors> } {
  const errors: Record<number, PriceRowErrors> = {};
  const prices: ModelPrices = {};
  const seen = new Set<string>();
  rows.forEach((row, index) => {
    const rowErrors: PriceRowErrors = {};
    const name = row.model.trim();
    if (seen.has(name.toLowerCase()) && name !== '') rowErrors.model = 'This model already has prices above';
    seen.add(name.toLowerCase());
    const parsed = modelPriceSchema.safeParse(
      Object.fromEntries(PRICE_KINDS.map((k) => [k.key, typedPrice(row[k.key])])),
    );
    if (parsed.success) prices[name] = parsed.data;
    else {
      for (const issue of inputIssuesOf(parsed.error)) {
        const key = PRICE_KINDS.find((k) => k.key === issue.path[0])?.key;
        if (key) rowErrors[key] ??= sentence(issue.message);
      }
    }
    if (Object.keys(rowErrors).length > 0) errors[index] = rowErrors;
  });
  // The record's own rules (a name's length, how many models) come from the contract too.
  const whole = modelPricesSchema.safeParse(prices);
  if (!whole.success) {
    for (const issue of inputIssuesOf(whole.error)) {
      const index = rows.findIndex((r) => r.model.trim() === issue.path[0]);
      errors[index < 0 ? 0 : index] = { ...errors[index < 0 ? 0 : index], model: sentence(issue.message) };
    }
  }
  return Object.keys(errors).length > 0 ? { prices: null, errors } : { prices, errors: null };
}

function PriceError({ id, message }: { id: string; message: string | undefined }) {
  return message ? (
    <p role="alert" className="field-error" id={id}>
      {message}
    </p>
  ) : null;
}

/** Add, edit and remove a model's four prices, in USD per million tokens; saved with the rest of the settings. */
export function ModelPricesEditor({
  rows,
  errors,
  onChange,
}: {
  rows: readonly PriceRow[];
  errors: Record<number, PriceRowErrors>;
  onChange: (rows: PriceRow[]) => void;
}) {
  const edit = (index: number, key: keyof PriceRow, value: string) =>
    onChange(rows.map((row, i) => (i === index ? { ...row, [key]: value } : row)));
  return (
    <fieldset data-testid="model-prices">
      <legend>Model prices</legend>
      <p className="muted">
        USD per million tokens. A model listed here is priced with these instead of the price data, or gets a price
        where the data has none (its cost shows as unknown until then).
      </p>
      {rows.length === 0 ? <p className="muted">No prices of your own.</p> : null}
      {rows.map((row, index) => {
        const rowErrors = errors[index] ?? {};
        const field = (key: keyof PriceRow, label: string, inputMode: 'text' | 'decimal', placeholder?: string) => {
          const id = `model-price-${index}-${key}`;
          return (
            <div className="field" key={key}>
              <label htmlFor={id}>{label}</label>
              <input
                id={id}
                inputMode={inputMode}
                autoComplete="off"
                spellCheck={false}
                value={row[key]}
                placeholder={placeholder}
                aria-invalid={rowErrors[key] ? true : undefined}
                aria-describedby={rowErrors[key] ? `${id}-error` : undefined}
                onChange={(e) => edit(index, key, e.target.value)}
              />
              <PriceError id={`${id}-error`} message={rowErrors[key]} />
            </div>
          );
        };
        return (
          <div
            className="settings-grid model-price-row"
            key={index}
            data-testid="model-price-row"
            role="group"
            aria-label={row.model.trim() === '' ? `New model ${index + 1}` : `Prices of ${row.model.trim()}`}
          >
            {field('model', 'Model', 'text')}
            {PRICE_KINDS.map((kind) =>
              field(kind.key, kind.label, 'decimal', 'placeholder' in kind ? kind.placeholder : undefined),
            )}
            <div className="field">
              <button type="button" onClick={() => onChange(rows.filter((_, i) => i !== index))}>
                Remove
              </button>
            </div>
          </div>
        );
      })}
      <button type="button" onClick={() => onChange([...rows, emptyPriceRow()])}>
        Add a model
      </button>
    </fieldset>
  );
}
