import { useConnectionState } from '../app/services';

/** Visible while the browser-mode connection is down; calls wait and resume once it is back. */
export function ConnectionBanner() {
  const state = useConnectionState();
  if (state === 'reconnecting') {
    return (
      <div className="banner banner-warning" role="status" data-testid="connection-banner">
        Reconnecting… Actions will go through once Baton is reachable again.
      </div>
    );
  }
  if (state === 'closed') {
    return (
      <div className="banner banner-error" role="status" data-testid="connection-banner">
        Disconnected from Baton. Reload the page to reconnect.
      </div>
    );
  }
  return null;
}
