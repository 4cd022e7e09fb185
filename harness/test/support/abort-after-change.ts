import type { FaultContext } from '../../src/faults/types.ts';
import type { Runtime } from '../../src/runtime/types.ts';

const RUNTIME_CHANGES = new Set([
  'kill',
  'pause',
  'resume',
  'stopComponent',
  'startComponent',
  'restart',
]);
const PROXY_CHANGES = new Set(['addToxic', 'update']);

/** Returns a function that calls `method` and aborts `controller` once that call has resolved. */
function thenAbort<T extends object>(target: T, method: PropertyKey, controller: AbortController) {
  const original = Reflect.get(target, method) as (...args: unknown[]) => Promise<unknown>;
  return async (...args: unknown[]) => {
    const result = await original.apply(target, args);
    controller.abort();
    return result;
  };
}

/** Reads a property, binding methods to the target so that its private fields stay reachable. */
function bound<T extends object>(target: T, property: PropertyKey): unknown {
  const value = Reflect.get(target, property);
  return typeof value === 'function' ? value.bind(target) : value;
}

/**
 * Wraps a fault context so that the first change a fault makes through Toxiproxy or the runtime
 * aborts `controller` as soon as it has taken effect: the moment between applying a fault and
 * confirming it, which timing alone rarely hits.
 */
export function abortAfterChange(context: FaultContext, controller: AbortController): FaultContext {
  const runtime = new Proxy(context.runtime, {
    get: (target, property) =>
      RUNTIME_CHANGES.has(String(property))
        ? thenAbort(target, property, controller)
        : bound(target, property),
  }) as Runtime;

  const toxiproxy = new Proxy(context.toxiproxy, {
    get(target, property) {
      if (property !== 'get') return Reflect.get(target, property);
      return async (name: string) => {
        const proxy = await target.get(name);
        return new Proxy(proxy, {
          get: (proxyTarget, proxyProperty) =>
            PROXY_CHANGES.has(String(proxyProperty))
              ? thenAbort(proxyTarget, proxyProperty, controller)
              : Reflect.get(proxyTarget, proxyProperty),
        });
      };
    },
  });
  return { ...context, runtime, toxiproxy };
}
