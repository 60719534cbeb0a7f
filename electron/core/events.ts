/**
 * Events the core announces to whoever shows them (the Electron window, the test host's
 * sockets). Listeners run synchronously in registration order; a listener that throws is
 * skipped without stopping the others.
 */
import type { EventName } from '../../shared/channels.ts';
import type { EventPayloads } from '../../shared/contract.ts';

export type CoreEvent = { [E in EventName]: { name: E; payload: EventPayloads[E] } }[EventName];

export interface CoreEvents {
  emit<E extends EventName>(name: E, payload: EventPayloads[E]): void;
  /** Starts delivery to `listener`; returns the function that stops it. */
  on(listener: (event: CoreEvent) => void): () => void;
}

export function createCoreEvents(): CoreEvents {
  const listeners = new Set<(event: CoreEvent) => void>();
  return {
    emit(name, payload) {
      const event = { name, payload } as CoreEvent;
      for (const listener of [...listeners]) {
        try {
          listener(event);
        } catch {
          // One broken window must not stop the others from hearing about a change.
        }
      }
    },
    on(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
