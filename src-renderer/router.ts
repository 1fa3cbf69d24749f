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

/** The list a task was opened from (Tasks, or History, or All usage), for its page's way back. */
let lastList: '#/' | '#/history' | '#/history/usage' | null = null;

function noteList(hash: string): void {
  const route = parseHash(hash);
  if (route.name === 'live') lastList = '#/';
  else if (route.name === 'history') lastList = route.tab === 'usage' ? '#/history/usage' : '#/history';
}

if (typeof window !== 'undefined') {
  noteList(window.location.hash);
  window.addEventListener('hashchange', () => noteList(window.location.hash));
}

/** Where a task's page leads back to: the list it was opened from, or `fallback` when opened by its address. */
export function backFromTask(fallback: string): { href: string; label: string } {
  const href = lastList ?? fallback;
  return { href, label: href === '#/' ? 'Tasks' : href === '#/history/usage' ? 'All usage' : 'History' };
}

/** The current route, re-rendering on every hash change. */
export function useHashRoute(): Route {
  const hash = useSyncExternalStore(subscribe, currentHash, () => '');
  return parseHash(hash);
}
