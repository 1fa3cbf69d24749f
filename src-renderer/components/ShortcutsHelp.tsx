import { useEffect, useRef } from 'react';
import { DIFF_SHORTCUTS, REPLAY_SHORTCUTS, type Shortcut, SHORTCUTS } from '../keyboard';

function ShortcutList({ shortcuts }: { shortcuts: readonly Shortcut[] }) {
  return (
    <dl className="shortcuts">
      {shortcuts.map((s) => (
        <div key={s.keys}>
          <dt>
            <kbd>{s.keys}</kbd>
          </dt>
          <dd>{s.does}</dd>
        </div>
      ))}
    </dl>
  );
}

/** The keyboard shortcuts, opened with "?"; Esc or the button closes it. */
export function ShortcutsHelp({ onClose }: { onClose: () => void }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    ref.current?.focus();
    return () => previous?.focus?.();
  }, []);
  return (
    <div className="overlay" onClick={onClose} data-testid="shortcuts-help">
      <div
        className="overlay-panel"
        role="dialog"
        aria-modal="true"
        aria-labelledby="shortcuts-heading"
        tabIndex={-1}
        ref={ref}
        onClick={(e) => e.stopPropagation()}
      >
        <header className="replay-header">
          <h2 id="shortcuts-heading">Keyboard shortcuts</h2>
          <button type="button" onClick={onClose}>
            Close
          </button>
        </header>
        <ShortcutList shortcuts={SHORTCUTS} />
        <h3 className="shortcuts-heading">In a replay</h3>
        <ShortcutList shortcuts={REPLAY_SHORTCUTS} />
        <h3 className="shortcuts-heading">In the changes of a task</h3>
        <ShortcutList shortcuts={DIFF_SHORTCUTS} />
      </div>
    </div>
  );
}
