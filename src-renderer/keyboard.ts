/** The app's keyboard shortcuts: one list, which the help overlay shows and the handler follows. */
import { type Landmark, REPLAY_SPEEDS, type ReplayAction } from './stores/replay-model';
import { hrefs } from './router';

export interface Shortcut {
  keys: string;
  does: string;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { keys: 'n', does: 'New task: open the launch form and go to its prompt' },
  { keys: 'Ctrl/⌘ + Enter', does: 'Launch, from any field of the launch form' },
  { keys: 's', does: 'Stop the focused task card (asks first; Esc keeps it running)' },
  { keys: '/', does: 'Search the history' },
  { keys: '?', does: 'Show or hide these shortcuts' },
  { keys: 'Esc', does: 'Close this help, a replay, the changes or a stop question' },
];

/** The keys of an open replay, with the same names as its buttons. */
export const REPLAY_SHORTCUTS: readonly Shortcut[] = [
  { keys: 'Space', does: 'Play or pause the replay (play at the end starts over)' },
  { keys: '← / →', does: 'Step back or forward one event' },
  { keys: 'Home / End', does: 'Go to the start or the end' },
  { keys: `1 – ${REPLAY_SPEEDS.length}`, does: `Speed ${REPLAY_SPEEDS.map((s) => `${s}×`).join(', ')}` },
  { keys: '+ / −', does: 'Faster or slower' },
  { keys: 't / Shift + T', does: 'Next or previous tool call' },
  { keys: 'e / Shift + E', does: 'Next or previous error' },
  { keys: 'f / Shift + F', does: 'Next or previous file change' },
];

/** The keys of the open changes panel. */
export const DIFF_SHORTCUTS: readonly Shortcut[] = [{ keys: '[ / ]', does: 'Previous or next iteration' }];

/**
 * Which way a key press steps the changes panel: -1 for "[", 1 for "]", or null. The panel's own choice of
 * iteration (a select) does not type these keys, so they step from there too.
 */
export function diffStepFor(
  e: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey' | 'target'>,
): -1 | 1 | null {
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  if (isTypingTarget(e.target) && (e.target as Element).tagName !== 'SELECT') return null;
  if (e.key === '[') return -1;
  if (e.key === ']') return 1;
  return null;
}

const REPLAY_JUMPS: Record<string, Landmark> = { t: 'tool', e: 'error', f: 'file' };

/** What a key press asks of an open replay, or null (typing, modifiers, or no replay key). */
export function replayActionFor(
  e: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey' | 'target'>,
): ReplayAction | null {
  if (e.ctrlKey || e.metaKey || e.altKey || isTypingTarget(e.target)) return null;
  const jump = REPLAY_JUMPS[e.key.toLowerCase()];
  if (jump) return { type: 'jump', to: jump, by: e.key === e.key.toLowerCase() ? 1 : -1 };
  const speed = REPLAY_SPEEDS[Number(e.key) - 1];
  if (speed !== undefined && /^\d$/.test(e.key)) return { type: 'speed', speed };
  switch (e.key) {
    case ' ':
      // A disclosure in the stream opens with Space as it should.
      return (e.target as Element | null)?.tagName === 'SUMMARY' ? null : { type: 'toggle' };
    case 'ArrowLeft':
      return { type: 'step', by: -1 };
    case 'ArrowRight':
      return { type: 'step', by: 1 };
    case 'Home':
      return { type: 'start' };
    case 'End':
      return { type: 'end' };
    case '+':
    case '=':
      return { type: 'faster' };
    case '-':
    case '_':
      return { type: 'slower' };
    default:
      return null;
  }
}

/** Where typing goes to a field: single-key shortcuts stay out of the way there. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!target || typeof (target as Element).tagName !== 'string') return false;
  const el = target as HTMLElement;
  const tag = el.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT') {
    const type = (el as HTMLInputElement).type;
    return !['checkbox', 'radio', 'button', 'submit', 'reset', 'range'].includes(type);
  }
  return el.isContentEditable;
}

export type ShortcutAction = 'new-task' | 'search' | 'help' | 'close';

/** Which global action a key press asks for, or null (typing, modifiers, or keys the cards handle). */
export function shortcutFor(e: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey' | 'target'>) {
  if (e.key === 'Escape') return 'close' satisfies ShortcutAction;
  if (e.ctrlKey || e.metaKey || e.altKey || isTypingTarget(e.target)) return null;
  if (e.key === '?') return 'help' satisfies ShortcutAction;
  if (e.key === 'n') return 'new-task' satisfies ShortcutAction;
  if (e.key === '/') return 'search' satisfies ShortcutAction;
  return null;
}

/**
 * Focuses the element with `id` once it exists (a view that is still
 * rendering after a navigation), trying for about a second.
 */
export function focusWhenReady(id: string, tries = 30): void {
  const el = document.getElementById(id);
  if (el) {
    el.focus();
    return;
  }
  if (tries > 0) setTimeout(() => focusWhenReady(id, tries - 1), 33);
}

/** The History helper gives its search box this id. */
export const HISTORY_SEARCH_ID = 'history-search';

export function goToSearch(): void {
  if (window.location.hash !== hrefs.history) window.location.hash = hrefs.history;
  focusWhenReady(HISTORY_SEARCH_ID);
}
