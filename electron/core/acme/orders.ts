/**
 * ACME orders (RFC 8555 §7.1.3) as the lifecycle engine holds them: plain snapshots that can be
 * persisted, and the conversions to and from acme-client's Order.
 */
import type { Order } from 'acme-client';
import { problemFromDocument, type AcmeIdentifier, type AcmeProblem } from './problems.ts';

/** Order status (RFC 8555 §7.1.6). */
export type OrderStatus = 'pending' | 'ready' | 'processing' | 'valid' | 'invalid';

/** An order as the CA last described it, plus its URL (the Location of newOrder). */
export interface OrderSnapshot {
  url: string;
  status: OrderStatus;
  expires?: string;
  identifiers: AcmeIdentifier[];
  /** Authorization URLs, one per identifier. */
  authorizations: string[];
  finalize: string;
  /** Certificate URL, present once the order is valid. */
  certificate?: string;
  /** The CA's problem for an invalid order. */
  error?: AcmeProblem;
}

/** Options of createOrder; both fields are sent only when given. */
export interface CreateOrderOptions {
  /** ARI CertID of the certificate this order replaces (RFC 9773 §5). */
  replaces?: string;
  /** Certificate profile name (draft-aaron-acme-profiles), for CAs that offer profiles. */
  profile?: string;
}

/** The snapshot of an order acme-client returned (it adds `url`). */
export function snapshot(order: Order): OrderSnapshot {
  const s: OrderSnapshot = {
    url: order.url,
    status: order.status,
    identifiers: order.identifiers.map((i) => ({ type: i.type, value: i.value })),
    authorizations: [...order.authorizations],
    finalize: order.finalize,
  };
  if (order.expires) s.expires = order.expires;
  if (order.certificate) s.certificate = order.certificate;
  const error = problemFromDocument(order.error);
  if (error) s.error = error;
  return s;
}

/** The acme-client Order a snapshot stands for (without `error`, which it never reads). */
export function toOrder(s: OrderSnapshot): Order {
  return { ...s, error: undefined } as unknown as Order;
}
