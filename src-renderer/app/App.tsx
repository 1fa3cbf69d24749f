import { useEffect, useRef, useState } from 'react';
import { HistoryView } from '../components/HistoryView';
import { SettingsView } from '../components/SettingsView';
import { LiveView } from '../components/LiveView';
import { ConnectionBanner } from '../components/ConnectionBanner';
import { PROMPT_INPUT_ID } from '../components/LaunchForm';
import { ShortcutsHelp } from '../components/ShortcutsHelp';
import { TaskDetailView } from '../components/TaskDetailView';
import { useRead } from '../hooks/use-read';
import { focusWhenReady, goToSearch, shortcutFor } from '../keyboard';
import { notificationApi, notifyPreference, notifyTaskEnd } from '../notifications';
import { hrefs, useHashRoute, type Route } from '../router';
import { sendTimeZone } from '../time-zone';
import { useServices } from './services';
import { chartsWantedOn, preloadCharts } from '../components/charts/lazy-charts';

function NavLink({
  href,
  active,
  children,
  onIntent,
}: {
  href: string;
  active: boolean;
  children: string;
  /** The pointer or focus is on the link: what its page needs can start loading before the click. */
  onIntent?: () => void;
}) {
  return (
    <a
      href={href}
      className={active ? 'nav-link active' : 'nav-link'}
      aria-current={active ? 'page' : undefined}
      onPointerEnter={onIntent}
      onFocus={onIntent}
    >
      {children}
    </a>
  );
}

function titleOf(route: Route): string {
  if (route.name === 'history') return 'History · Baton';
  if (route.name === 'settings') return 'Settings · Baton';
  if (route.name === 'task') return 'Task · Baton';
  return 'Baton';
}

export function App() {
  const { client, launch, transport, read } = useServices();
  const route = useHashRoute();
  const info = useRead('getAppInfo', {});
  const [help, setHelp] = useState(false);
  const mode = info.data?.mode ?? null;
  const modeRef = useRef(mode);
  useEffect(() => {
    modeRef.current = mode;
  }, [mode]);

  useEffect(() => {
    document.title = titleOf(route);
  }, [route]);

  // A page with charts loads them beside its data, not once its data has come (a second round trip).
  const chartsWanted = chartsWantedOn(route);
  useEffect(() => {
    if (chartsWanted) void preloadCharts();
  }, [chartsWanted]);

  // The daily budget counts this window's days, as History and All usage do.
  useEffect(() => {
    void sendTimeZone({ getSettings: (input) => read('getSettings', input), updateSettings: client.updateSettings });
  }, [client, read]);

  // The global shortcuts (the list is in keyboard.ts, and the help overlay shows it).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const action = shortcutFor(e);
      if (action === 'help') {
        e.preventDefault();
        setHelp((open) => !open);
      } else if (action === 'close') {
        setHelp(false);
      } else if (action === 'new-task') {
        e.preventDefault();
        launch.getState().setFormOpen(true);
        if (window.location.hash !== hrefs.live && window.location.hash !== '') window.location.hash = hrefs.live;
        focusWhenReady(PROMPT_INPUT_ID);
      } else if (action === 'search') {
        e.preventDefault();
        // The search box is on the tasks tab, at History's own address.
        goToSearch();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [launch]);

  // A browser notification when a task ends, if asked for; the desktop app's main process notifies by itself.
  useEffect(
    () =>
      transport.subscribe((event) => {
        notifyTaskEnd(event, { wanted: notifyPreference(), mode: modeRef.current, api: notificationApi() });
      }),
    [transport],
  );

  let view;
  switch (route.name) {
    case 'live':
      view = <LiveView canPickDirectory={info.data?.canPickDirectory ?? false} notify={mode === 'browser'} />;
      break;
    case 'history':
      view = <HistoryView />;
      break;
    case 'settings':
      view = <SettingsView />;
      break;
    case 'task':
      view = <TaskDetailView key={route.taskId} taskId={route.taskId} />;
      break;
    default:
      view = (
        <div className="view">
          <h2>Page not found</h2>
          <p>
            Nothing lives at <code>{route.hash}</code>. <a href={hrefs.live}>Back to Tasks</a>.
          </p>
        </div>
      );
  }

  return (
    <div className="app">
      <header className="app-header">
        <h1 className="brand">Baton</h1>
        <nav aria-label="Main">
          <NavLink href={hrefs.live} active={route.name === 'live' || route.name === 'task'}>
            Tasks
          </NavLink>
          <NavLink href={hrefs.history} active={route.name === 'history'} onIntent={() => void preloadCharts()}>
            History
          </NavLink>
          <NavLink href={hrefs.settings} active={route.name === 'settings'}>
            Settings
          </NavLink>
        </nav>
        {info.data ? (
          <span className="muted app-info" title={info.data.databaseFile}>
            {info.data.mode} · v{info.data.version}
          </span>
        ) : null}
        <button
          type="button"
          className="help-button"
          aria-label="Keyboard shortcuts"
          title="Keyboard shortcuts (?)"
          onClick={() => setHelp(true)}
        >
          ?
        </button>
      </header>
      <ConnectionBanner />
      <main>{view}</main>
      {help ? <ShortcutsHelp onClose={() => setHelp(false)} /> : null}
    </div>
  );
}
