/**
 * The actions a template's status label reveals, passed down from the Certificate Templates
 * tab through the list and its rows in one object.
 */
import type { TemplateView } from '../../../shared/types.ts';

/** Callbacks of the status label's actions; each receives the template of its row. */
export interface StatusActions {
  /** Opens DNS Challenge Configuration. */
  onShowRecords: (template: TemplateView) => void;
  /** Retry Generate (Unable to Generate only). */
  onRetry: (template: TemplateView) => void;
  /** Check now (Pending Verification only). */
  onCheckNow: (template: TemplateView) => void;
  /** Opens the template's details. */
  onShowDetails: (template: TemplateView) => void;
}
