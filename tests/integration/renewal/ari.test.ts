/**
 * ACME Renewal Information against the ARI proxy in front of Pebble: Pebble 2.4.0 (real, -strict,
 * 600-second certificates) has no renewalInfo, so tests/rig/ari-proxy.ts adds it and everything
 * else reaches the real Pebble. One certificate is issued through the proxy with the ACME session
 * and the RFC 2136 provider on a real BIND, exactly as the lifecycle does; then its CertID, its
 * renewal window, a renewal order naming it in `replaces`, and the CA's alreadyReplaced answer
 * are checked.
 */
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCsr } from '../../../electron/core/acme/csr.ts';
import { generateKeyPem } from '../../../electron/core/acme/keys.ts';
import { AcmeError } from '../../../electron/core/acme/problems.ts';
import { openAcmeSession, type AcmeSession } from '../../../electron/core/acme/session.ts';
import { Rfc2136Provider } from '../../../electron/core/dns/rfc2136.ts';
import { createLogger, memorySink } from '../../../electron/core/log.ts';
import {
  ariCertId,
  createRenewalOrder,
  fetchRenewalInfo,
} from '../../../electron/core/renewal/ari.ts';
import { decideRenewal } from '../../../electron/core/renewal/policy.ts';
import { defaultWindowOf, startAriProxy, type AriProxy } from '../../rig/ari-proxy.ts';
import { startBind, type BindRig } from '../../rig/bind.ts';
import { httpsGet, startPebble, type PebbleRig } from '../../rig/pebble.ts';
import { runOk } from '../../rig/proc.ts';

const NAME = 'renew.example.test';
const TARGET = 'k-ari.validation.test';
const CA_WAIT = { timeoutMs: 60_000 };
const HOUR = 3_600_000;

let bind: BindRig;
let pebble: PebbleRig;
let proxy: AriProxy;
let session: AcmeSession;
let leafPem: string;
let certId: string;
const lines: string[] = [];
const logger = createLogger([memorySink(lines)], 'debug');

/** Issues a certificate for NAME through `s`, publishing TXT values into BIND. */
async function issue(s: AcmeSession): Promise<string> {
  const provider = new Rfc2136Provider({
    ...{ server: bind.host, port: bind.port, zone: bind.zones.validation },
    ...{ keyName: bind.tsig.name, algorithm: bind.tsig.algorithm, secret: bind.tsig.secret },
  });
  const order = await s.createOrder([NAME]);
  const open = (await s.dnsChallenges(order)).filter((c) => c.authorizationStatus !== 'valid');
  const refs = open.map((c) => ({ fqdn: TARGET, value: c.txtValue }));
  try {
    for (const ref of refs) await provider.publishTxt(ref);
    for (const challenge of open) await s.answerChallenge(challenge);
    await s.waitForAuthorizationsValid(order, CA_WAIT);
  } finally {
    for (const ref of refs) await provider.removeTxt(ref);
  }
  const csr = await createCsr({ commonName: NAME, altNames: [] }, generateKeyPem('ecdsa-p256'));
  const finalized = await s.finalize(await s.getOrder(order.url), csr);
  return s.downloadCertificate(await s.waitForOrderValid(finalized, CA_WAIT));
}

beforeAll(async () => {
  bind = await startBind({
    records: [{ name: `_acme-challenge.${NAME}.`, type: 'CNAME', value: `${TARGET}.` }],
  });
  pebble = await startPebble({
    dnsServer: `${bind.host}:${bind.port}`,
    validitySeconds: 600,
    env: { PEBBLE_AUTHZREUSE: '100' },
  });
  proxy = await startAriProxy(pebble.directoryUrl, pebble.caPem);
  const accountKeyPem = generateKeyPem('ecdsa-p256');
  session = await openAcmeSession({ directoryUrl: proxy.directoryUrl, accountKeyPem, logger });
  leafPem = await issue(session);
  certId = ariCertId(leafPem);
});

afterAll(async () => {
  await proxy?.stop();
  await pebble?.stop();
  await bind?.stop();
});

describe('ARI proxy in front of Pebble', () => {
  it('adds renewalInfo to the directory and keeps every URL on the proxy', async () => {
    const own = JSON.parse(await httpsGet(pebble.directoryUrl, pebble.caPem)) as object;
    expect(own).not.toHaveProperty('renewalInfo');
    const seen = JSON.parse(await httpsGet(proxy.directoryUrl, pebble.caPem)) as Record<
      string,
      unknown
    >;
    expect(seen.renewalInfo).toBe(proxy.renewalInfoUrl);
    const origin = new URL(proxy.directoryUrl).origin;
    for (const key of ['newNonce', 'newAccount', 'newOrder', 'revokeCert']) {
      expect(String(seen[key]).startsWith(`${origin}/`)).toBe(true);
    }
  });

  it('issued a 600-second certificate through the proxy, whose CertID matches openssl', async () => {
    const leaf = new X509Certificate(leafPem);
    const lifetime = Date.parse(leaf.validTo) - Date.parse(leaf.validFrom);
    expect(lifetime).toBeGreaterThan(590_000);
    expect(lifetime).toBeLessThanOrEqual(600_000);
    const text = await runOk('openssl', ['x509', '-noout', '-ext', 'authorityKeyIdentifier'], {
      input: leafPem,
    });
    const aki = Buffer.from((text.split('\n')[1] ?? '').trim().replaceAll(':', ''), 'hex');
    expect(aki.length).toBeGreaterThan(0);
    expect(certId.split('.')[0]).toBe(aki.toString('base64url'));
    const serial = Buffer.from(certId.split('.')[1] ?? '', 'base64url').toString('hex');
    expect(serial.replace(/^0+/, '').toUpperCase()).toBe(
      leaf.serialNumber.replace(/^0+/, '').toUpperCase(),
    );
  });
});

describe('fetchRenewalInfo through the ARI proxy in front of Pebble', () => {
  it('returns the window the proxy serves for the issued certificate, with Retry-After', async () => {
    const before = Date.now();
    const result = await fetchRenewalInfo(proxy.directoryUrl, certId);
    const after = Date.now();
    const leaf = new X509Certificate(leafPem);
    const expected = defaultWindowOf(new Date(leaf.validFrom), new Date(leaf.validTo));
    expect(result.offered).toBe(true);
    expect(result.info?.windowStart).toEqual(expected.start);
    expect(result.info?.windowEnd).toEqual(expected.end);
    const retryAfter = result.info?.retryAfter?.getTime() ?? 0;
    expect(retryAfter).toBeGreaterThanOrEqual(before + 6 * HOUR - 1000);
    expect(retryAfter).toBeLessThanOrEqual(after + 6 * HOUR);
    expect(proxy.renewalInfoRequests.at(-1)).toEqual({ certId, method: 'GET', status: 200 });
  });

  it('returns a window set on the proxy with its explanation, Retry-After clamped to a day', async () => {
    const start = new Date(Date.now() + 60_000);
    const end = new Date(Date.now() + 120_000);
    const explanationUrl = 'https://ca.example.test/incident-42';
    proxy.setWindow(certId, { start, end, explanationUrl, retryAfterSeconds: 3 * 24 * 3600 });
    const after = Date.now();
    const result = await fetchRenewalInfo(proxy.directoryUrl, certId);
    expect(result.info).toMatchObject({ windowStart: start, windowEnd: end, explanationUrl });
    expect(result.info?.retryAfter?.getTime()).toBeLessThanOrEqual(Date.now() + 24 * HOUR);
    expect(result.info?.retryAfter?.getTime()).toBeGreaterThan(after + 23 * HOUR);

    const info = result.info as NonNullable<typeof result.info>;
    const decision = decideRenewal({
      notBefore: new Date(new X509Certificate(leafPem).validFrom),
      notAfter: new Date(new X509Certificate(leafPem).validTo),
      now: new Date(after),
      ari: info,
      failures: 0,
      random: () => 0.5,
    });
    expect(decision.reason).toBe('ari-window');
    expect(decision.selectedAt?.getTime()).toBeGreaterThanOrEqual(start.getTime());
    expect(decision.selectedAt?.getTime()).toBeLessThan(end.getTime());
  });

  it('reports an invalid window (end before start) as null with a reason', async () => {
    const start = new Date(Date.now() + 120_000);
    proxy.setWindow(certId, { start, end: new Date(start.getTime() - 1000) });
    const result = await fetchRenewalInfo(proxy.directoryUrl, certId);
    expect(result.info).toBeNull();
    expect(result).toMatchObject({
      offered: true,
      reason: expect.stringContaining('invalid and ignored'),
    });
  });

  it('reports a certificate the proxy does not know as null with a reason', async () => {
    const result = await fetchRenewalInfo(proxy.directoryUrl, 'AAAA.BBBB');
    expect(result).toMatchObject({
      info: null,
      offered: true,
      reason: expect.stringContaining('HTTP 404'),
    });
  });

  it('reports that Pebble 2.4.0 itself offers no renewalInfo', async () => {
    const result = await fetchRenewalInfo(pebble.directoryUrl, certId);
    expect(result).toMatchObject({
      info: null,
      offered: false,
      reason: expect.stringContaining('no renewalInfo'),
    });
  });
});

describe('renewal orders through the ARI proxy in front of Pebble', () => {
  it('sends replaces = the CertID of the old leaf, which the proxy sees and Pebble accepts', async () => {
    const placed = await createRenewalOrder(session, [NAME], { replaces: certId, logger });
    expect(placed.replaced).toBe(certId);
    expect(['pending', 'ready']).toContain(placed.order.status);
    expect(proxy.orders.at(-1)).toEqual({
      identifiers: [NAME],
      replaces: certId,
      answeredAlreadyReplaced: false,
    });
  });

  it('classifies alreadyReplaced from the proxy as ca-already-replaced, needing a new order', async () => {
    proxy.rejectNextReplacingOrder();
    const error = await session.createOrder([NAME], { replaces: certId }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AcmeError);
    expect(error).toMatchObject({
      code: 'ca-already-replaced',
      problemType: 'alreadyReplaced',
      httpStatus: 409,
      newOrderNeeded: true,
    });
    expect((error as AcmeError).message).toContain('orders again without naming it');
    expect(proxy.orders.at(-1)?.answeredAlreadyReplaced).toBe(true);
  });

  it('orders once more without replaces when the CA says alreadyReplaced', async () => {
    proxy.rejectNextReplacingOrder();
    const count = proxy.orders.length;
    const placed = await createRenewalOrder(session, [NAME], { replaces: certId, logger });
    expect(placed.replaced).toBeUndefined();
    expect(proxy.orders.slice(count)).toEqual([
      { identifiers: [NAME], replaces: certId, answeredAlreadyReplaced: true },
      { identifiers: [NAME], answeredAlreadyReplaced: false },
    ]);
    expect(lines.some((l) => l.includes('already replaced; ordering without replaces'))).toBe(true);
  });
});
