import type { ReactNode } from 'react';
import { useSidePanel } from '../hooks/use-side-panel';

/**
 * A panel over the page about one iteration (its replay, its changes): a dialog that takes the focus
 * when it opens, its heading beside a Close button, and Escape closes it too.
 */
export function SidePanel({
  className,
  label,
  testId,
  heading,
  closeLabel,
  onClose,
  children,
}: {
  className: string;
  label: string;
  testId: string;
  heading: ReactNode;
  /** The Close button's name for assistive technology ("Close replay"). */
  closeLabel: string;
  onClose: () => void;
  children: ReactNode;
}) {
  const panel = useSidePanel(onClose);
  return (
    <aside className={className} role="dialog" aria-label={label} data-testid={testId} tabIndex={-1} ref={panel}>
      <header className="replay-header">
        {heading}
        <button type="button" onClick={onClose} aria-label={closeLabel}>
          Close
        </button>
      </header>
      {children}
    </aside>
  );
}
