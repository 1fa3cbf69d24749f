import { useQuery, type UseQueryOptions, type UseQueryResult } from '@tanstack/react-query';
import { useServices } from '../app/services';
import type { MethodInput, MethodResult } from '../contract';
import { readQuery, type ReadKey, type ReadMethod } from '../queries/contract-queries';

export type ReadOptions<M extends ReadMethod> = Pick<
  UseQueryOptions<MethodResult<M>, Error, MethodResult<M>, ReadKey<M>>,
  'enabled' | 'refetchInterval' | 'placeholderData'
>;

/** One contract read, as a query: cached under its key, asked again when Baton's events make it stale. */
export function useRead<M extends ReadMethod>(
  method: M,
  input: MethodInput<M>,
  options: ReadOptions<M> = {},
): UseQueryResult<MethodResult<M>> {
  const { client } = useServices();
  return useQuery({ ...readQuery(client, method, input), ...options });
}
