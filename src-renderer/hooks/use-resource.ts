import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { BatonCallError, errorMessage, type CallErrorCode } from '../errors';

export interface Resource<T> {
  status: 'loading' | 'ready' | 'error';
  data: T | null;
  error: string | null;
  /** The failed call's code (`not_found`, `unavailable`…), when it was a contract call that failed. */
  errorCode: CallErrorCode | null;
  /** True while a reload runs over data already shown (which stays on screen meanwhile). */
  refreshing: boolean;
  reload(): void;
}

interface ResourceState<T> {
  key: string;
  status: Resource<T>['status'];
  data: T | null;
  error: string | null;
  errorCode: CallErrorCode | null;
  refreshing: boolean;
}

/**
 * Loads data for a view; a new `key` starts over (blank), `reload` keeps the
 * current data visible while it refreshes, and only the latest answer counts.
 */
export function useResource<T>(load: () => Promise<T>, key: string): Resource<T> {
  const [state, setState] = useState<ResourceState<T>>({
    key,
    status: 'loading',
    data: null,
    error: null,
    errorCode: null,
    refreshing: false,
  });
  const loadRef = useRef(load);
  useLayoutEffect(() => {
    loadRef.current = load;
  });
  const latest = useRef(0);

  const run = useCallback((forKey: string) => {
    const mine = ++latest.current;
    setState((s) =>
      s.key === forKey && s.data !== null
        ? { ...s, refreshing: true }
        : { key: forKey, status: 'loading', data: null, error: null, errorCode: null, refreshing: false },
    );
    loadRef.current().then(
      (data) => {
        if (mine === latest.current) {
          setState({ key: forKey, status: 'ready', data, error: null, errorCode: null, refreshing: false });
        }
      },
      (error: unknown) => {
        if (mine !== latest.current) return;
        const errorCode = error instanceof BatonCallError ? error.code : null;
        setState((s) => ({
          ...s,
          key: forKey,
          status: 'error',
          error: errorMessage(error),
          errorCode,
          refreshing: false,
        }));
      },
    );
  }, []);

  useEffect(() => {
    run(key);
  }, [key, run]);

  const reload = useCallback(() => run(key), [key, run]);
  // Until the effect for a new key runs, do not show the previous key's data.
  if (state.key !== key) {
    return { status: 'loading', data: null, error: null, errorCode: null, refreshing: false, reload };
  }
  const { status, data, error, errorCode, refreshing } = state;
  return { status, data, error, errorCode, refreshing, reload };
}
