import type { ReactNode } from 'react';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p className="state state-loading" role="status" aria-busy="true">
      {label}
    </p>
  );
}

/** A failed load: the CallError's message, and a way to try again. */
export function ErrorState({ message, onRetry, title }: { message: string; onRetry: () => void; title?: string }) {
  return (
    <div className="state state-error" data-testid="error-state">
      {title ? <strong>{title}</strong> : null}
      <p role="alert">{message}</p>
      <button type="button" onClick={onRetry}>
        Retry
      </button>
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return (
    <p className="state state-empty" data-testid="empty-state">
      {children}
    </p>
  );
}

/** Something that does not exist: said plainly, with where to go instead, and no Retry that could not help. */
export function NotFound({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className="view">
      <div className="state state-not-found" data-testid="not-found">
        <h2>{title}</h2>
        <p>{children}</p>
      </div>
    </div>
  );
}
