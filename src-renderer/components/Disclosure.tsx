import type { ReactNode } from 'react';

/** A button that folds and unfolds the element it controls, its state shown by its arrow and aria-expanded. */
export function DisclosureButton({
  open,
  controls,
  onToggle,
  small = false,
  children,
}: {
  open: boolean;
  /** The id of what it folds. */
  controls: string;
  onToggle: (open: boolean) => void;
  small?: boolean;
  children: ReactNode;
}) {
  return (
    <button
      type="button"
      className={small ? 'disclosure disclosure-small' : 'disclosure'}
      aria-expanded={open}
      aria-controls={controls}
      onClick={() => onToggle(!open)}
    >
      {children}
    </button>
  );
}
