import { act, fireEvent, render, screen } from '@testing-library/react';
import { launchSpecSchema, type TaskSpecInput } from '../../src-main/contract/task-spec';
import { createServices, ServicesProvider } from '../../src-renderer/app/services';
import { LaunchForm } from '../../src-renderer/components/LaunchForm';
import type { LaunchStore } from '../../src-renderer/stores/launch-store';
import { DEFAULT_VALUES, launchFormSchema, type LaunchValues } from '../../src-renderer/stores/launch-values';
import { FakeTransport, memoryStorage } from './fixtures';

/** The spec the service reads from an input: what the form must send for the same values. */
export const served = (input: TaskSpecInput) => launchSpecSchema.parse(input);

/** What the form's schema says of its values: the spec, or the first message of each field. */
export function read(values: Partial<LaunchValues>) {
  const parsed = launchFormSchema.safeParse({ ...DEFAULT_VALUES, ...values });
  if (parsed.success) return { spec: parsed.data, errors: null };
  const errors: Record<string, string> = {};
  for (const issue of parsed.error.issues) errors[String(issue.path[0])] ??= issue.message;
  return { spec: null, errors };
}

/** Sets fields of the store's form as a person's typing would: as their own. */
export function typed(store: LaunchStore, values: Partial<LaunchValues>) {
  for (const [field, value] of Object.entries(values)) {
    store.getState().form.setValue(field as keyof LaunchValues, value as never, { shouldDirty: true });
  }
}

/** The launch form over a fake transport whose calls `handle` answers; `launches` lists the launchTask calls made. */
export function renderLaunchForm(
  handle: (method: string, input: unknown) => Promise<unknown>,
  canPickDirectory = false,
  storage = memoryStorage(),
) {
  const transport = new FakeTransport(handle);
  const services = createServices(transport, storage);
  render(
    <ServicesProvider value={services}>
      <LaunchForm canPickDirectory={canPickDirectory} />
    </ServicesProvider>,
  );
  return {
    transport,
    services,
    storage,
    launches: () => transport.calls.filter((c) => c.method === 'launchTask'),
  };
}

/** Unfolds the fields past the essentials, as a person clicks "More options". */
export function unfold() {
  const toggle = screen.getByRole('button', { name: 'More options' });
  if (toggle.getAttribute('aria-expanded') !== 'true') fireEvent.click(toggle);
}

export const typeInto = (label: string, value: string) =>
  fireEvent.change(screen.getByLabelText(label), { target: { value } });

export async function clickLaunch() {
  await act(async () => {
    fireEvent.click(screen.getByRole('button', { name: 'Launch' }));
  });
}
