import { useState } from 'react';
import { notificationApi, notifyPreference, setNotifyPreference } from '../notifications';

/** "Notify me when tasks end": asks the browser's permission when turned on. */
export function NotifyToggle() {
  const api = notificationApi();
  const [on, setOn] = useState(() => notifyPreference() && api?.permission === 'granted');
  const [note, setNote] = useState<string | null>(null);

  const change = async (wanted: boolean) => {
    setNote(null);
    if (!wanted) {
      setNotifyPreference(false);
      setOn(false);
      return;
    }
    if (!api) {
      setNote('This browser cannot show notifications.');
      return;
    }
    const permission = api.permission === 'granted' ? 'granted' : await api.requestPermission();
    if (permission === 'granted') {
      setNotifyPreference(true);
      setOn(true);
    } else {
      setNote('Notifications are blocked for this page; allow them in the browser’s site settings.');
    }
  };

  return (
    <span className="notify-toggle">
      <label>
        <input type="checkbox" checked={on} onChange={(e) => void change(e.target.checked)} /> Notify me when tasks end
      </label>
      {note ? (
        <span className="muted" role="status">
          {note}
        </span>
      ) : null}
    </span>
  );
}
