import { useSyncExternalStore } from 'react';

/** History's two views: Baton's tasks, or all usage the agents' transcripts record. */
export type HistoryTab = 'tasks' | 'usage';

export type Route =
  | { name: 'live' }
  | { name: 'history'; tab: HistoryTab }
  | { name: 'settings' }
  | { name: 'task'; taskId: string }
  | { name: 'not-found'; hash: string };

/** '#/' (or nothing) is the live view, '#/history' the history (its All usage '#/history/usage'), '#/tasks/<id>' a task. */
export function parseHash(hash: string): Route {
  const path = hash.replace(/^#/, '').replace(/\/+$/, '') || '/';
  if (path === '/' || path === '') return { name: 'live' };
  if (path === '/history') return { name: 'history', tab: 'tasks' };
  if (path === '/history/usage') return { name: 'history', tab: 'usage' };
  if (path === '/settings') return { name: 'settings' };
  const task = /^\/tasks\/([^/]+)$/.exec(path);
  if (task) {
    try {
      return { name: 'task', taskId: decodeURIComponent(task[1]!) };
    } catch {
      return { name: 'not-found', hash };
    }
  }
  return { name: 'not-found', hash };
}

export const hrefs = {
  live: '#/',
  history: '#/history',
  usage: '#/history/usage',
  settings: '#/settings',
  task: (taskId: string) => `#/tasks/${encodeURIComponent(taskId)}`,
};

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

const currentHash = () => window.location.hash;

/** The current route, re-rendering on every hash change. */
export function useHashRoute(): Route {
  const hash = useSyncExternalStore(subscribe, currentHash, () => '');
  return parseHash(hash);
}
