/**
 * A browser notification when a task ends, if the user asked for them and
 * allowed them. The desktop app's main process notifies by itself, so the
 * window does not there.
 */
import { statusLabel, type BatonEvent } from './contract';

export const NOTIFY_KEY = 'baton.notifyWhenTasksEnd';

type StorageLike = Pick<Storage, 'getItem' | 'setItem'>;

export interface NotificationApi {
  readonly permission: NotificationPermission;
  requestPermission(): Promise<NotificationPermission>;
  new (title: string, options?: NotificationOptions): unknown;
}

export function notificationApi(): NotificationApi | null {
  return typeof Notification === 'undefined' ? null : (Notification as unknown as NotificationApi);
}

export function defaultStorage(): StorageLike | null {
  return typeof localStorage === 'undefined' ? null : localStorage;
}

export function notifyPreference(storage: StorageLike | null = defaultStorage()): boolean {
  try {
    return storage?.getItem(NOTIFY_KEY) === '1';
  } catch {
    return false;
  }
}

export function setNotifyPreference(on: boolean, storage: StorageLike | null = defaultStorage()): void {
  try {
    storage?.setItem(NOTIFY_KEY, on ? '1' : '0');
  } catch {
    // Not remembered; it still applies until the page reloads.
  }
}

/** The notification for a task's end: "Fix the tests: Completed", with the reason. */
export function taskEndNotification(event: Extract<BatonEvent, { type: 'task.finished' }>): {
  title: string;
  body: string;
} {
  return { title: `${event.task.title}: ${statusLabel(event.status)}`, body: event.reason };
}

/** Shows the notification for a finished task when wanted and allowed; returns whether it did. */
export function notifyTaskEnd(
  event: BatonEvent,
  options: { wanted: boolean; mode: 'desktop' | 'browser' | null; api: NotificationApi | null },
): boolean {
  if (event.type !== 'task.finished' || !options.wanted || options.mode !== 'browser') return false;
  if (!options.api || options.api.permission !== 'granted') return false;
  const { title, body } = taskEndNotification(event);
  new options.api(title, { body, tag: `baton-task-${event.taskId}` });
  return true;
}
