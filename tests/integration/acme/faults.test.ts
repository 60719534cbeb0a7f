/**
 * How the ACME session behaves when the CA says "wait" or "try again", against the real Pebble
 * behind a fault-injecting HTTPS proxy (fault-proxy.ts): Pebble 2.4.0 sends no Retry-After, so
 * the proxy answers chosen requests itself. Proves that acme-client never sleeps through a long
 * Retry-After inside a call (RELIABILITY A5), still retries badNonce by itself, and that each
 * concurrent call keeps its own CA problem.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPem } from '../../../electron/core/acme/keys.ts';
import { AcmeError } from '../../../electron/core/acme/problems.ts';
import { openAcmeSession, type AcmeSession } from '../../../electron/core/acme/session.ts';
import { createLogger, memorySink } from '../../../electron/core/log.ts';
import { freePort } from '../../rig/ports.ts';
import { startBind, type BindRig } from '../../rig/bind.ts';
import { startPebble, type PebbleRig } from '../../rig/pebble.ts';
import {
  jwsPayload,
  startFaultProxy,
  type FaultProxy,
  type InjectedAnswer,
} from './fault-proxy.ts';

const ERR = 'urn:ietf:params:acme:error:';
const NEW_ORDER = '/order-plz';

let bind: BindRig;
let pebble: PebbleRig;
let proxy: FaultProxy;
let otherProxy: FaultProxy;
let accountKey: string;
let lines: string[];
let direct: AcmeSession;

async function sessionAt(directoryUrl: string): Promise<AcmeSession> {
  const logger = createLogger([memorySink(lines)], 'debug');
  return openAcmeSession({ directoryUrl, accountKeyPem: accountKey, logger });
}

const newOrderPosts = (p: FaultProxy) =>
  p.requests.filter((r) => r.method === 'POST' && r.path === NEW_ORDER);

function onNewOrder(
  p: FaultProxy,
  make: (n: number, body: Buffer) => InjectedAnswer | undefined,
): void {
  let n = 0;
  p.inject((method, path, body) =>
    method === 'POST' && path === NEW_ORDER ? make(++n, body) : undefined,
  );
}

async function refusal(promise: Promise<unknown>): Promise<AcmeError> {
  const outcome = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(outcome).toBeInstanceOf(AcmeError);
  return outcome as AcmeError;
}

beforeAll(async () => {
  bind = await startBind();
  pebble = await startPebble({ dnsServer: `${bind.host}:${bind.port}` });
  proxy = await startFaultProxy(pebble.directoryUrl, pebble.caPem);
  otherProxy = await startFaultProxy(pebble.directoryUrl, pebble.caPem);
  accountKey = generateKeyPem('ecdsa-p256');
  lines = [];
  direct = await sessionAt(pebble.directoryUrl);
});

afterAll(async () => {
  await proxy?.stop();
  await otherProxy?.stop();
  await pebble?.stop();
  await bind?.stop();
});

describe('ACME faults through a proxy that adds what Pebble 2.4 cannot send', () => {
  it('surfaces a 429 with Retry-After: 86400 at once as ca-rate-limited, without retrying inside the call', async () => {
    const session = await sessionAt(proxy.directoryUrl);
    const before = newOrderPosts(proxy).length;
    onNewOrder(proxy, () => ({
      status: 429,
      headers: { 'retry-after': '86400' },
      body: { type: `${ERR}rateLimited`, detail: 'too many new orders recently' },
    }));
    const error = await refusal(session.createOrder(['example.test']));
    expect(error.code).toBe('ca-rate-limited');
    expect(error.retryable).toBe(true);
    expect(error.retryAfterMs).toBe(86_400_000);
    expect(error.newOrderNeeded).toBe(false);
    expect(error.message).toContain('too many new orders recently');
    expect(newOrderPosts(proxy).length - before).toBe(1);
  });

  it('retries a 503 with Retry-After: 1 once inside the call, then creates the order', async () => {
    const session = await sessionAt(proxy.directoryUrl);
    const before = newOrderPosts(proxy).length;
    onNewOrder(proxy, (n) =>
      n === 1
        ? { status: 503, headers: { 'retry-after': '1' }, body: { type: `${ERR}serverInternal` } }
        : undefined,
    );
    const order = await session.createOrder(['example.test']);
    expect(order.status).toBe('pending');
    expect(
      newOrderPosts(proxy)
        .slice(before)
        .map((r) => r.injected),
    ).toEqual([true, false]);
  });

  it('does not sleep through a 503 asking for two minutes: ca-unavailable with the wait', async () => {
    const session = await sessionAt(proxy.directoryUrl);
    const before = newOrderPosts(proxy).length;
    onNewOrder(proxy, () => ({
      status: 503,
      headers: { 'retry-after': '120' },
      body: { type: `${ERR}serverInternal`, detail: 'maintenance' },
    }));
    const error = await refusal(session.createOrder(['example.test']));
    expect(error.code).toBe('ca-unavailable');
    expect(error.retryable).toBe(true);
    expect(error.retryAfterMs).toBe(120_000);
    expect(newOrderPosts(proxy).length - before).toBe(1);
  });

  it('leaves badNonce to acme-client: five retries, then ca-bad-nonce', async () => {
    const session = await sessionAt(proxy.directoryUrl);
    const before = newOrderPosts(proxy).length;
    onNewOrder(proxy, () => ({
      status: 400,
      body: { type: `${ERR}badNonce`, detail: 'JWS has an invalid anti-replay nonce' },
    }));
    const error = await refusal(session.createOrder(['example.test']));
    expect(error.code).toBe('ca-bad-nonce');
    expect(error.retryable).toBe(true);
    expect(newOrderPosts(proxy).length - before).toBe(6);
  });

  it('sends replaces and profile in newOrder and reports alreadyReplaced (RFC 9773) as retry-without-replaces', async () => {
    const session = await sessionAt(proxy.directoryUrl);
    const sent: Record<string, unknown>[] = [];
    onNewOrder(proxy, (_n, body) => {
      sent.push(jwsPayload(body));
      return {
        status: 409,
        body: { type: `${ERR}alreadyReplaced`, detail: 'certificate already replaced' },
      };
    });
    const replaces = 'aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE';
    const error = await refusal(
      session.createOrder(['example.test'], { replaces, profile: 'shortlived' }),
    );
    expect(sent).toEqual([
      { identifiers: [{ type: 'dns', value: 'example.test' }], replaces, profile: 'shortlived' },
    ]);
    expect(error.code).toBe('ca-already-replaced');
    expect(error.retryable).toBe(true);
    expect(error.newOrderNeeded).toBe(true);
  });

  it('keeps each concurrent call its own problem', async () => {
    const limited = await sessionAt(proxy.directoryUrl);
    const rejected = await sessionAt(otherProxy.directoryUrl);
    onNewOrder(proxy, () => ({
      status: 429,
      headers: { 'retry-after': '3600' },
      body: { type: `${ERR}rateLimited`, detail: 'slow down' },
    }));
    onNewOrder(otherProxy, () => ({
      status: 400,
      body: { type: `${ERR}rejectedIdentifier`, detail: 'policy forbids "x.example.test"' },
    }));
    const calls = Array.from({ length: 8 }, (_, i) => [
      refusal(limited.createOrder([`a${i}.example.test`])),
      refusal(rejected.createOrder(['x.example.test'])),
      direct.createOrder([`d${i}.example.test`]),
    ]).flat();
    const outcomes = await Promise.all(calls);
    for (let i = 0; i < outcomes.length; i += 3) {
      expect((outcomes[i] as AcmeError).code).toBe('ca-rate-limited');
      expect((outcomes[i] as AcmeError).retryAfterMs).toBe(3_600_000);
      expect((outcomes[i + 1] as AcmeError).code).toBe('ca-rejected-identifier');
      expect((outcomes[i + 1] as AcmeError).retryAfterMs).toBeUndefined();
      expect((outcomes[i + 2] as { status: string }).status).toBe('pending');
    }
  });

  it('reports a CA that refuses connections as ca-unavailable, retryable', async () => {
    const port = await freePort();
    const error = await refusal(sessionAt(`https://127.0.0.1:${port}/dir`));
    expect(error.code).toBe('ca-unavailable');
    expect(error.problemType).toBe('ECONNREFUSED');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('could not reach the CA');
  });

  it('never writes the account key into acme-client log lines', () => {
    const body = accountKey.split('\n').filter((l) => l && !l.startsWith('-----'));
    expect(lines.length).toBeGreaterThan(0);
    for (const part of body) expect(lines.join('\n')).not.toContain(part);
  });
});
