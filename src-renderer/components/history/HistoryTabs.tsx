/** History's Tasks / All usage tabs, in the page header; each tab has its address, so Back and links reach it. */
import { useRef, type KeyboardEvent } from 'react';
import { hrefs, type HistoryTab } from '../../router';

const HISTORY_TABS: { value: HistoryTab; label: string; href: string }[] = [
  { value: 'tasks', label: 'Tasks', href: hrefs.history },
  { value: 'usage', label: 'All usage', href: hrefs.usage },
];

function open(tab: HistoryTab): void {
  const href = HISTORY_TABS.find((t) => t.value === tab)!.href;
  if (window.location.hash !== href) window.location.hash = href;
}

/** The tab pattern: one tab stop, arrow keys (and Home/End) move between the tabs and open them. */
export function HistoryTabs({ tab }: { tab: HistoryTab }) {
  const buttons = useRef(new Map<HistoryTab, HTMLButtonElement>());
  const onKeyDown = (e: KeyboardEvent) => {
    const current = HISTORY_TABS.findIndex((t) => t.value === tab);
    const count = HISTORY_TABS.length;
    const targets: Record<string, number> = {
      ArrowRight: current + 1,
      ArrowLeft: current - 1 + count,
      Home: 0,
      End: count - 1,
    };
    const target = targets[e.key];
    if (target === undefined) return;
    e.preventDefault();
    const value = HISTORY_TABS[target % count]!.value;
    open(value);
    buttons.current.get(value)?.focus();
  };
  return (
    <div
      role="tablist"
      aria-label="History views"
      className="history-tabs"
      data-testid="history-tabs"
      onKeyDown={onKeyDown}
    >
      {HISTORY_TABS.map((t) => (
        <button
          key={t.value}
          ref={(el) => {
            if (el) buttons.current.set(t.value, el);
            else buttons.current.delete(t.value);
          }}
          type="button"
          role="tab"
          id={`history-tab-${t.value}`}
          aria-controls={`history-panel-${t.value}`}
          aria-selected={tab === t.value}
          tabIndex={tab === t.value ? 0 : -1}
          data-testid={`history-tab-${t.value}`}
          onClick={() => open(t.value)}
        >
          {t.label}
        </button>
      ))}
    </div>
  );
}
