import { rawValue } from '../contract';

/** A number on screen: formatted for people, with the exact value in data-value for tools and tests. */
export function Metric({
  testId,
  value,
  format,
  className,
}: {
  testId: string;
  value: number | null;
  format: (value: number) => string;
  className?: string;
}) {
  if (value === null) {
    return (
      <span data-testid={testId} className={className} title="Known when the iteration ends">
        —
      </span>
    );
  }
  return (
    <span data-testid={testId} data-value={rawValue(value)} className={className}>
      {format(value)}
    </span>
  );
}
