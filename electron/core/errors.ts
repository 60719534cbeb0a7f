/**
 * The one error type the core throws. `code` is stable and drives the UI and retry decisions;
 * `message` is a sentence for the administrator (which step, which name, what DNS or the CA
 * said, what to check) and never contains secrets.
 */
import type { FieldIssue } from '../../shared/template-input.ts';

export interface CertdeskErrorInit {
  code: string;
  message: string;
  step?: string;
  /** The DNS name or identifier concerned; exposed as `identifier` (Error already has `name`). */
  name?: string;
  /** Extra technical detail for the log (a CA problem type, a DNS rcode); no secrets. */
  detail?: string;
  /** True when trying again later may succeed without the administrator changing anything. */
  retryable?: boolean;
  /** Per-field problems, for invalid-input refusals the form shows at each field. */
  issues?: FieldIssue[];
  cause?: unknown;
}

export class CertdeskError extends Error {
  readonly code: string;
  readonly step: string | undefined;
  readonly identifier: string | undefined;
  readonly detail: string | undefined;
  readonly retryable: boolean;
  readonly issues: FieldIssue[] | undefined;

  constructor(init: CertdeskErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'CertdeskError';
    this.code = init.code;
    this.step = init.step;
    this.identifier = init.name;
    this.detail = init.detail;
    this.retryable = init.retryable ?? false;
    this.issues = init.issues;
  }
}

/** True for errors the core raised on purpose, whose message is safe to show. */
export function isCertdeskError(error: unknown): error is CertdeskError {
  return error instanceof CertdeskError;
}
