import type { BatonApi, BatonMethod } from './contract';
import { BatonCallError } from './errors';
import type { Transport } from './transport/transport';

/**
 * The typed client over either transport. A Proxy turns every property into a
 * call of the method of that name, so no method needs its own glue here.
 */
export function createClient(transport: Pick<Transport, 'call'>): BatonApi {
  const methods = new Map<string, (input: unknown) => Promise<unknown>>();
  return new Proxy({} as BatonApi, {
    get(_target, property) {
      // 'then' must stay undefined, or `await client` would treat the client as a promise.
      if (typeof property !== 'string' || property === 'then') return undefined;
      let fn = methods.get(property);
      if (!fn) {
        fn = async (input: unknown) => {
          const outcome = await transport.call(property as BatonMethod, input ?? {});
          if (outcome.ok) return outcome.value;
          // `issues` defaults to [] in the contract; a host that left it out still yields an array.
          throw new BatonCallError(outcome.error.code, outcome.error.message, outcome.error.issues ?? []);
        };
        methods.set(property, fn);
      }
      return fn;
    },
  });
}
