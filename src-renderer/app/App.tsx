import { useEffect } from 'react';
import { HistoryView } from '../components/HistoryView';
import { SettingsView } from '../components/SettingsView';
import { LiveView } from '../components/LiveView';
import { ConnectionBanner } from '../components/ConnectionBanner';
import { TaskDetailView } from '../components/TaskDetailView';
import { useResource } from '../hooks/use-resource';
import { hrefs, useHashRoute, type Route } from '../router';
import { useServices } from './services';

function NavLink({
  href,
  active,
  children,
  onClick,
}: {
  href: string;
  active: boolean;
  children: string;
  onClick?: () => void;
}) {
  return (
    <a
      href={href}
      className={active ? 'nav-link active' : 'nav-link'}
      aria-current={active ? 'page' : undefined}
      onClick={onClick}
    >
      {children}
    </a>
  );
}

/** "Launch" leads to the same page as "Live", straight into the prompt. */
function focusPrompt() {
  setTimeout(() => document.getElementById('launch-prompt')?.focus(), 0);
}

function titleOf(route: Route): string {
  if (route.name === 'history') return 'History · Baton';
  if (route.name === 'settings') return 'Settings · Baton';
  if (route.name === 'task') return 'Task · Baton';
  return 'Baton';
}

export function App() {
  const { client } = useServices();
  const route = useHashRoute();
  const info = useResource(() => client.getAppInfo({}), 'app-info');

  useEffect(() => {
    document.title = titleOf(route);
  }, [route]);

  let view;
  switch (route.name) {
    case 'live':
      view = <LiveView canPickDirectory={info.data?.canPickDirectory ?? false} />;
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
            Nothing lives at <code>{route.hash}</code>. <a href={hrefs.live}>Back to the live view</a>.
          </p>
        </div>
      );
  }

  return (
    <div className="app">
      <header className="app-header">
        <h1 className="brand">Baton</h1>
        <nav aria-label="Main">
          <NavLink href={hrefs.live} active={false} onClick={focusPrompt}>
            Launch
          </NavLink>
          <NavLink href={hrefs.live} active={route.name === 'live'}>
            Live
          </NavLink>
          <NavLink href={hrefs.history} active={route.name === 'history'}>
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
      </header>
      <ConnectionBanner />
      <main>{view}</main>
    </div>
  );
}
