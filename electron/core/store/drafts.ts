/**
 * Copy-on-write drafts of a JSON document, for the store's update(): the mutator works on a
 * draft that reads like the document, and only the objects and arrays it actually changes are
 * copied; everything else is shared with the current document. Copying a 10,000-template
 * document for every saved step cost ~100 ms plus as much again in garbage collection; a draft
 * costs what the mutator touches.
 *
 * Contract:
 * - `produce(base, mutator)` never changes `base` or anything reachable from it. It resolves
 *   with `base` itself when nothing changed, otherwise with a new document in which every
 *   changed object is a fresh copy and every unchanged one is the very object of `base`
 *   (so `next.templates[i] === base.templates[i]` says "this template did not change").
 * - Only plain objects and arrays are drafted; other values (strings, numbers, Dates...) are
 *   stored as they are, which suits the store's JSON documents.
 * - Values the mutator builds itself may hold drafts (`{ ...draft.attempt }`,
 *   `draft.list.filter(...)`); they are replaced by their final values.
 * - Once produce() settles, every draft it handed out is revoked: a mutator that kept one and
 *   uses it later gets a TypeError instead of silently changing nothing.
 * - If the mutator throws, produce() rejects with its error and `base` is untouched.
 */

const STATE = Symbol('draft state');

type Container = Record<PropertyKey, unknown> | unknown[];

interface DraftState {
  base: Container;
  /** Shallow copy made on first write (or when a child draft is placed); else null. */
  copy: Container | null;
  /** True once this object or anything below it was written. */
  modified: boolean;
  parent: DraftState | null;
  /** The proxy handed out for this object. */
  draft: Container;
  /** The final value, once finalized (a draft can be reached twice). */
  done?: Container;
}

interface Session {
  revokers: (() => void)[];
}

function isPlain(value: unknown): value is Container {
  if (Array.isArray(value)) return true;
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function stateOf(value: unknown): DraftState | undefined {
  return typeof value === 'object' && value !== null
    ? ((value as Record<symbol, unknown>)[STATE] as DraftState | undefined)
    : undefined;
}

function latest(state: DraftState): Container {
  return state.copy ?? state.base;
}

function ensureCopy(state: DraftState): Container {
  state.copy ??= Array.isArray(state.base) ? state.base.slice() : { ...state.base };
  return state.copy;
}

function markModified(state: DraftState | null): void {
  for (let s = state; s && !s.modified; s = s.parent) {
    s.modified = true;
    ensureCopy(s);
  }
}

function createDraft(base: Container, parent: DraftState | null, session: Session): Container {
  const state: DraftState = { base, copy: null, modified: false, parent, draft: [] };
  const target: Container = Array.isArray(base) ? [] : {};
  const { proxy, revoke } = Proxy.revocable(target, handler(state, session));
  session.revokers.push(revoke);
  state.draft = proxy;
  return proxy;
}

function handler(state: DraftState, session: Session): ProxyHandler<Container> {
  return {
    get(_target, key) {
      if (key === STATE) return state;
      const source = latest(state);
      const value = Reflect.get(source, key, state.draft) as unknown;
      if (!isPlain(value) || stateOf(value) || !Object.hasOwn(source, key)) return value;
      // A child of the base (not something the mutator assigned): hand out a draft of it.
      if (value !== Reflect.get(state.base, key)) return value;
      const child = createDraft(value, state, session);
      Reflect.set(ensureCopy(state), key, child);
      return child;
    },
    set(_target, key, value) {
      const current = Reflect.get(latest(state), key) as unknown;
      const same = current === value || stateOf(current)?.base === value;
      if (same && Object.hasOwn(latest(state), key) && !stateOf(current)?.modified) return true;
      markModified(state);
      return Reflect.set(ensureCopy(state), key, value);
    },
    deleteProperty(_target, key) {
      if (!Object.hasOwn(latest(state), key)) return true;
      markModified(state);
      return Reflect.deleteProperty(ensureCopy(state), key);
    },
    has: (_target, key) => key === STATE || Reflect.has(latest(state), key),
    ownKeys: () => Reflect.ownKeys(latest(state)),
    getOwnPropertyDescriptor(target, key) {
      const descriptor = Reflect.getOwnPropertyDescriptor(latest(state), key);
      if (!descriptor) return undefined;
      // Proxy invariants: only the target's own `length` may be reported non-configurable.
      const fixed = Reflect.getOwnPropertyDescriptor(target, key)?.configurable === false;
      if (!('value' in descriptor)) return { ...descriptor, configurable: !fixed };
      return { ...descriptor, configurable: !fixed, value: this.get?.(target, key, state.draft) };
    },
    defineProperty(_target, key, descriptor) {
      markModified(state);
      return Reflect.defineProperty(ensureCopy(state), key, descriptor);
    },
    getPrototypeOf: () => Reflect.getPrototypeOf(state.base),
    setPrototypeOf: () => false,
    preventExtensions: () => false,
  };
}

/** The final value of `value`: drafts become their copy (or base), new containers are walked. */
function finalize(value: unknown, seen: Set<object>): unknown {
  const state = stateOf(value);
  if (state) {
    if (state.done) return state.done;
    if (!state.modified) return (state.done = state.base);
    state.done = state.copy as Container;
    finalizeChildren(state.done, state.base, seen);
    return state.done;
  }
  if (isPlain(value) && !seen.has(value)) {
    seen.add(value);
    finalizeChildren(value, undefined, seen);
  }
  return value;
}

/**
 * Replaces drafts among the children of `container` by their final values. A child that is
 * still the base's own child under the same key holds no draft (drafts live only in copies),
 * so it is skipped: that keeps finalizing a one-template change to a 10,000-template list at
 * 10,000 identity checks instead of a walk through every template.
 */
function finalizeChildren(container: Container, base: Container | undefined, seen: Set<object>) {
  for (const key of Reflect.ownKeys(container)) {
    const child = Reflect.get(container, key) as unknown;
    if (typeof child !== 'object' || child === null) continue;
    if (base !== undefined && child === Reflect.get(base, key)) continue;
    const final = finalize(child, seen);
    if (final !== child) Reflect.set(container, key, final);
  }
}

/** See the module comment. */
export async function produce<T extends object>(
  base: T,
  mutator: (draft: T) => void | Promise<void>,
): Promise<T> {
  if (!isPlain(base)) throw new TypeError('produce() needs a plain object or array');
  const session: Session = { revokers: [] };
  const draft = createDraft(base, null, session) as T;
  try {
    await mutator(draft);
    return finalize(draft, new Set()) as T;
  } finally {
    for (const revoke of session.revokers) revoke();
  }
}
