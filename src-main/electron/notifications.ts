/** A desktop notification when a task ends while the user is looking elsewhere. */
import type { BrowserWindow, Notification, NotificationConstructorOptions } from 'electron';
import type { BatonEndpoint } from '../service/baton-service';

export interface NotificationClass {
  isSupported(): boolean;
  new (options: NotificationConstructorOptions): Pick<Notification, 'show'>;
}

export interface NotifyOptions {
  host: Pick<BatonEndpoint, 'subscribe'>;
  window: Pick<BrowserWindow, 'isDestroyed' | 'isFocused'>;
  Notification: NotificationClass;
}

/** Returns the unsubscribe. */
export function notifyOnFinish({ host, window, Notification }: NotifyOptions): () => void {
  return host.subscribe((event) => {
    if (event.type !== 'task.finished') return;
    if (!window.isDestroyed() && window.isFocused()) return;
    if (!Notification.isSupported()) return;
    new Notification({ title: `Baton: task ${event.status}`, body: `${event.task.title}: ${event.reason}` }).show();
  });
}
