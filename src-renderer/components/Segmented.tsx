import { useId, useRef, type KeyboardEvent, type ReactNode } from 'react';

export interface SegmentedOption<T> {
  value: T;
  label: ReactNode;
  /** A hint on hover (a shortcut, say). */
  title?: string;
  /** Marks the choice, as the settings mark an agent whose fields are refused. */
  invalid?: boolean;
}

/** Keys that move the choice: to the next or previous (wrapping around), the first or the last. */
const MOVES: Record<string, (index: number, count: number) => number> = {
  ArrowRight: (i, n) => (i + 1) % n,
  ArrowDown: (i, n) => (i + 1) % n,
  ArrowLeft: (i, n) => (i - 1 + n) % n,
  ArrowUp: (i, n) => (i - 1 + n) % n,
  Home: () => 0,
  End: (_, n) => n - 1,
};

/**
 * One choice of a few, side by side: a radio group, with one tab stop (the chosen option) and the arrow keys,
 * Home and End moving the choice as they move the focus.
 */
export function Segmented<T extends string | number>({
  label,
  showLabel = true,
  value,
  options,
  onChange,
  testId,
}: {
  label: string;
  /** False where the context says what the choice is: the label is then for screen readers only. */
  showLabel?: boolean;
  value: T;
  options: readonly SegmentedOption<T>[];
  onChange: (value: T) => void;
  testId?: string;
}) {
  const labelId = useId();
  const buttons = useRef(new Map<T, HTMLButtonElement>());
  const onKeyDown = (e: KeyboardEvent) => {
    const move = MOVES[e.key];
    if (!move || e.ctrlKey || e.metaKey || e.altKey) return;
    // The keys are the group's: a page's own shortcuts for them (a replay's arrows) do not run as well.
    e.preventDefault();
    e.stopPropagation();
    const current = Math.max(
      options.findIndex((o) => o.value === value),
      0,
    );
    const next = options[move(current, options.length)]!.value;
    onChange(next);
    buttons.current.get(next)?.focus();
  };
  return (
    <div className="segmented">
      <span id={labelId} className={showLabel ? 'segmented-label' : 'visually-hidden'}>
        {label}
      </span>
      <div role="radiogroup" aria-labelledby={labelId} data-testid={testId} onKeyDown={onKeyDown}>
        {options.map((option) => {
          const checked = option.value === value;
          return (
            <button
              key={String(option.value)}
              ref={(el) => {
                if (el) buttons.current.set(option.value, el);
                else buttons.current.delete(option.value);
              }}
              type="button"
              role="radio"
              aria-checked={checked}
              aria-invalid={option.invalid || undefined}
              tabIndex={checked ? 0 : -1}
              title={option.title}
              onClick={() => onChange(option.value)}
            >
              {option.label}
            </button>
          );
        })}
      </div>
    </div>
  );
}
