/**
 * The one validation wrapper every IPC request passes through, in the Electron shell and in
 * the test host alike. It refuses unknown methods, parses the payload against the contract
 * schema before any core code runs, and turns every outcome into an IpcResult: a value, or a
 * stable code with a sentence for the administrator. Unexpected errors are logged in full and
 * answered with a generic sentence, so internals and secrets never reach the renderer.
 */
import * as v from 'valibot';
import { INVOKE_CHANNELS, type InvokeMethod } from '../../shared/channels.ts';
import {
  REQUEST_SCHEMAS,
  type CoreHandlers,
  type IpcError,
  type IpcResult,
} from '../../shared/contract.ts';
import type { FieldIssue } from '../../shared/template-input.ts';
import { isCertdeskError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';

const METHOD_BY_CHANNEL = new Map<string, InvokeMethod>(
  Object.entries(INVOKE_CHANNELS).map(([method, channel]) => [channel, method as InvokeMethod]),
);

/** The method for a channel name, or undefined for a channel the contract does not have. */
export function methodForChannel(channel: string): InvokeMethod | undefined {
  return METHOD_BY_CHANNEL.get(channel);
}

const MAX_DEPTH = 8;

/**
 * True when `value` is plain data as JSON or structured clone would carry it: primitives,
 * arrays and objects whose prototype is Object.prototype or null, nested at most MAX_DEPTH.
 * Schemas treat any object as a record, so a Date, a class instance or an array standing in
 * for an object is refused here first.
 */
export function isPlainData(value: unknown, depth = 0): boolean {
  if (value === null || ['string', 'number', 'boolean', 'undefined'].includes(typeof value))
    return true;
  if (typeof value !== 'object' || depth >= MAX_DEPTH) return false;
  if (Array.isArray(value)) return value.every((item) => isPlainData(item, depth + 1));
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return false;
  return Object.values(value).every((item) => isPlainData(item, depth + 1));
}

function isRequestShape(payload: unknown): boolean {
  if (payload === undefined) return true;
  return (
    typeof payload === 'object' &&
    payload !== null &&
    !Array.isArray(payload) &&
    isPlainData(payload)
  );
}

function fieldIssues(issues: v.BaseIssue<unknown>[]): FieldIssue[] {
  return issues.map((issue) => {
    const path = v.getDotPath(issue);
    // Domain rules report "field: sentence"; structural ones carry a path.
    const match = /^([A-Za-z.0-9]+): (.*)$/s.exec(issue.message);
    if (match?.[1] && match[2]) return { field: match[1], message: match[2] };
    return { field: path ?? '(request)', message: `${path ?? 'request'}: ${issue.message}` };
  });
}

function invalid(issues: FieldIssue[]): IpcResult<never> {
  const first = issues[0]?.message ?? 'The request is not valid';
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  return { ok: false, error: { code: 'invalid-input', message: `${first}${more}`, issues } };
}

/** Turns whatever a handler threw into an IpcError that is safe to show. */
export function toIpcError(error: unknown, log: Logger, method: string): IpcError {
  if (isCertdeskError(error)) {
    log.warn('request refused', {
      method,
      code: error.code,
      step: error.step,
      name: error.identifier,
      detail: error.detail,
    });
    const out: IpcError = { code: error.code, message: error.message };
    if (error.step) out.step = error.step;
    if (error.identifier) out.name = error.identifier;
    if (error.issues) out.issues = error.issues;
    return out;
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  log.error('request failed unexpectedly', { method, error: message });
  return {
    code: 'internal',
    message: 'Certdesk hit an unexpected error while doing this; the log file has the details.',
  };
}

export type Dispatch = (channel: string, payload: unknown) => Promise<IpcResult<unknown>>;

/** Creates the dispatcher for a set of core handlers. */
export function createDispatcher(handlers: CoreHandlers, log: Logger): Dispatch {
  return async (channel, payload) => {
    const method = methodForChannel(channel);
    if (!method) {
      log.warn('refused a request on an unknown channel', { channel: channel.slice(0, 100) });
      return {
        ok: false,
        error: { code: 'unknown-method', message: 'Certdesk does not know this request.' },
      };
    }
    if (!isRequestShape(payload)) {
      return invalid([
        { field: '(request)', message: 'The request must be a plain object of data' },
      ]);
    }
    const parsed = v.safeParse(REQUEST_SCHEMAS[method], payload);
    if (!parsed.success) return invalid(fieldIssues(parsed.issues));
    try {
      const handler = handlers[method] as (request: unknown) => Promise<unknown>;
      return { ok: true, value: await handler(parsed.output) };
    } catch (error) {
      return { ok: false, error: toIpcError(error, log, method) };
    }
  };
}
