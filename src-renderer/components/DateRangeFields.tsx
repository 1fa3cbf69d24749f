/**
 * A range of local dates as two date fields, "From" and "To", each bounding the other, with the range's error
 * under them: History's filter and All usage's alike. The dates are YYYY-MM-DD, blank for none.
 */
export function DateRangeFields({
  ids,
  from,
  to,
  error,
  onFrom,
  onTo,
}: {
  /** The fields' and the error's element ids. */
  ids: { from: string; to: string; error: string };
  from: string;
  to: string;
  error: string | null;
  onFrom: (date: string) => void;
  onTo: (date: string) => void;
}) {
  const invalid = {
    'aria-invalid': error ? true : undefined,
    'aria-describedby': error ? ids.error : undefined,
  } as const;
  return (
    <>
      <div className="field">
        <label htmlFor={ids.from}>From</label>
        <input
          id={ids.from}
          type="date"
          value={from}
          max={to || undefined}
          {...invalid}
          onChange={(e) => onFrom(e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor={ids.to}>To</label>
        <input
          id={ids.to}
          type="date"
          value={to}
          min={from || undefined}
          {...invalid}
          onChange={(e) => onTo(e.target.value)}
        />
        {error ? (
          <p id={ids.error} className="field-error" role="alert">
            {error}
          </p>
        ) : null}
      </div>
    </>
  );
}
