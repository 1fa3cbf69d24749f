/** History's exports: the selected tasks as CSV or JSON, saved as a file. */
import { useState } from 'react';
import { EXPORT_FORMATS, type ExportFormat } from '../../contract';
import { useServices } from '../../app/services';
import { errorMessage } from '../../errors';
import { useFirstPage } from '../../hooks/use-history';
import { cleanFilter, type HistoryStore } from '../../stores/history-store';
import { browserTimeZone, timeZoneField } from '../../time-zone';

/** Saves a file from memory: a Blob behind an <a download> click. */
export function downloadFile(file: { fileName: string; mimeType: string; content: string }): void {
  const url = URL.createObjectURL(new Blob([file.content], { type: file.mimeType }));
  const a = document.createElement('a');
  a.href = url;
  a.download = file.fileName;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  // Revoking at once can cancel the download in some browsers.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Why there is nothing to export, or null when there is. */
export function nothingToExport(total: number | null): string | null {
  if (total === null) return 'The tasks are still loading';
  return total === 0 ? 'No tasks to export: none is selected' : null;
}

export function ExportButtons({ store }: { store: HistoryStore }) {
  const { client } = useServices();
  const none = nothingToExport(useFirstPage(store).data?.total ?? null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = (format: ExportFormat) => {
    setBusy(true);
    setError(null);
    const filter = cleanFilter(store.getState().filter);
    client.exportTasks({ filter, format, ...timeZoneField(browserTimeZone()) }).then(
      (file) => {
        setBusy(false);
        downloadFile(file);
      },
      (e: unknown) => {
        setBusy(false);
        setError(errorMessage(e));
      },
    );
  };
  return (
    <div className="export">
      {EXPORT_FORMATS.map((format) => (
        <button
          key={format}
          type="button"
          disabled={busy || none !== null}
          title={none ?? undefined}
          aria-describedby={none !== null ? 'history-export-none' : undefined}
          onClick={() => run(format)}
        >
          Export {format.toUpperCase()}
        </button>
      ))}
      {none !== null ? (
        <span id="history-export-none" className="visually-hidden">
          {none}
        </span>
      ) : null}
      {error ? (
        <span className="field-error" role="alert">
          {error}
        </span>
      ) : null}
    </div>
  );
}
