/** All usage's data: the overview its filters select, and the transcript import with its progress. */
import { keepPreviousData, useMutation } from '@tanstack/react-query';
import { useStore } from 'zustand';
import { useServices } from '../app/services';
import type { ImportProgress, ImportSummary } from '../contract';
import { errorMessage } from '../errors';
import { readKey } from '../queries/contract-queries';
import { usageFilterOf, usageRangeError, type UsageStore } from '../stores/usage-store';
import { browserTimeZone } from '../time-zone';
import { useRead } from './use-read';

/** How often the progress bar asks while an import runs. */
export const IMPORT_POLL_MS = 500;

/** The overview of the chosen filters; a new filter's comes in place of the last one's, which shows meanwhile. */
export function useUsageOverview(store: UsageStore) {
  const filter = useStore(store, (s) => s.filter);
  return useRead(
    'getUsageOverview',
    { filter: usageFilterOf(filter, browserTimeZone()) },
    { enabled: usageRangeError(filter) === null, placeholderData: keepPreviousData },
  );
}

export interface TranscriptImport {
  /** The import under way or the last one, as getImportProgress last said; null until asked. */
  progress: ImportProgress | null;
  /** From "Import now" until importTranscripts answers. */
  requested: boolean;
  /** Why this window's "Import now" failed. */
  error: string | null;
  /** What this window's last "Import now" did. */
  lastImport: ImportSummary | null;
  importNow(): void;
}

/**
 * "Import now" and the progress of whatever import runs (the service imports by itself as transcripts change).
 * The overview reloads when the service says an import stored something (`usage.imported`); the progress is
 * polled, since no event says how far an import has got.
 */
export function useTranscriptImport(): TranscriptImport {
  const { client, queryClient } = useServices();
  const progressKey = readKey('getImportProgress', {});
  const run = useMutation({
    mutationFn: () => client.importTranscripts({}),
    onMutate: () => queryClient.invalidateQueries({ queryKey: progressKey }),
    onSettled: async () => {
      // A reload the service's event began already was asked after the import stored: it is the one wanted.
      await queryClient.invalidateQueries({ queryKey: ['getUsageOverview'] }, { cancelRefetch: false });
      await queryClient.invalidateQueries({ queryKey: progressKey });
    },
  });
  const progress = useRead(
    'getImportProgress',
    {},
    {
      refetchInterval: (query) => (query.state.data?.state === 'importing' || run.isPending ? IMPORT_POLL_MS : false),
    },
  );
  return {
    progress: progress.data ?? null,
    requested: run.isPending,
    error: run.error ? errorMessage(run.error) : null,
    lastImport: run.data ?? null,
    importNow: () => {
      if (!run.isPending) run.mutate();
    },
  };
}
