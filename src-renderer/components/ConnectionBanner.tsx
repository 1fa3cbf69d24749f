import { useConnectionState } from '../app/services';

/**
 * Visible while the browser-mode connection is down (calls wait and resume once it is back), or while
 * Baton refuses this tab's token, saying where the new address is.
 */
export function ConnectionBanner() {
  const state = useConnectionState();
  if (state === 'reconnecting') {
    return (
      <div className="banner banner-warning" role="status" data-testid="connection-banner">
        Reconnecting… Actions will go through once Baton is reachable again.
      </div>
    );
  }
  if (state === 'refused') {
    return (
      <div className="banner banner-error" role="alert" data-testid="connection-banner">
        Baton no longer accepts this tab’s key: it was restarted, and each start makes a new one. Open the address{' '}
        <code>baton serve</code> printed in its terminal (it ends in <code>?token=…</code>); this tab then reconnects by
        itself.
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
