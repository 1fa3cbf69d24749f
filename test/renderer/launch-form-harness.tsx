import { render } from '@testing-library/react';
import { createServices, ServicesProvider } from '../../src-renderer/app/services';
import { LaunchForm } from '../../src-renderer/components/LaunchForm';
import { FakeTransport, memoryStorage } from './fixtures';

/** The launch form over a fake transport whose calls `handle` answers; `launches` lists the launchTask calls made. */
export function renderLaunchForm(
  handle: (method: string, input: unknown) => Promise<unknown>,
  canPickDirectory = false,
) {
  const transport = new FakeTransport(handle);
  const services = createServices(transport, memoryStorage());
  render(
    <ServicesProvider value={services}>
      <LaunchForm canPickDirectory={canPickDirectory} />
    </ServicesProvider>,
  );
  return { transport, services, launches: () => transport.calls.filter((c) => c.method === 'launchTask') };
}
