/**
 * The ACME session against a real Pebble 2.4.0 (-strict) and a real BIND: the customer zone
 * CNAMEs `_acme-challenge.example.test` into the validation zone, TXT values go in through the
 * RFC 2136 provider with TSIG, and Pebble follows the CNAME through BIND. Every scenario runs
 * twice: without nonce rejection, and with Pebble rejecting 20 % of nonces (acme-client must
 * retry badNonce by itself).
 */
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyIssuedCertificate, splitChain } from '../../../electron/core/acme/certificate.ts';
import { createCsr } from '../../../electron/core/acme/csr.ts';
import { generateKeyPem, publicKeysEqual } from '../../../electron/core/acme/keys.ts';
import { AcmeError } from '../../../electron/core/acme/problems.ts';
import { openAcmeSession, type AcmeSession } from '../../../electron/core/acme/session.ts';
import { Rfc2136Provider } from '../../../electron/core/dns/rfc2136.ts';
import { createLogger, memorySink, type Logger } from '../../../electron/core/log.ts';
import { startBind, type BindRig } from '../../rig/bind.ts';
import { httpsGet, startPebble, type PebbleRig } from '../../rig/pebble.ts';

const TARGET = 'k1.validation.test';
const BLOCKED = 'blocked.example.test';
const CA_WAIT = { timeoutMs: 60_000 };

let bind: BindRig;
let provider: Rfc2136Provider;

beforeAll(async () => {
  bind = await startBind({
    records: [{ name: '_acme-challenge.example.test.', type: 'CNAME', value: `${TARGET}.` }],
  });
  provider = new Rfc2136Provider({
    server: bind.host,
    port: bind.port,
    zone: bind.zones.validation,
    keyName: bind.tsig.name,
    algorithm: bind.tsig.algorithm,
    secret: bind.tsig.secret,
  });
});

afterAll(async () => {
  await bind?.stop();
});

function recordingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return { logger: createLogger([memorySink(lines)], 'debug'), lines };
}

/** acme-client's request lines ("HTTP request: post <url>") for one URL. */
function postsTo(lines: string[], url: string): number {
  return lines.filter((l) => l.includes(`HTTP request: post ${url}`)).length;
}

describe.each([
  { nonceReject: '0', label: 'without nonce rejection' },
  { nonceReject: '20', label: 'with 20% of nonces rejected' },
])('ACME session against Pebble and BIND, $label', ({ nonceReject }) => {
  let pebble: PebbleRig;
  let directory: { newAccount: string; newOrder: string };
  let accountKey: string;
  let session: AcmeSession;

  beforeAll(async () => {
    pebble = await startPebble({
      dnsServer: `${bind.host}:${bind.port}`,
      // Every order reuses valid authorizations, so the reuse test below is deterministic.
      env: { PEBBLE_WFE_NONCEREJECT: nonceReject, PEBBLE_AUTHZREUSE: '100' },
    });
    directory = JSON.parse(await httpsGet(pebble.directoryUrl, pebble.caPem));
    accountKey = generateKeyPem('ecdsa-p256');
    const { logger } = recordingLogger();
    session = await openAcmeSession({
      directoryUrl: pebble.directoryUrl,
      accountKeyPem: accountKey,
      email: 'admin@example.test',
      logger,
    });
  });

  afterAll(async () => {
    await pebble?.stop();
  });

  it('recovers the account of a known key without a stored account URL, creating no second one', async () => {
    const { logger, lines } = recordingLogger();
    const again = await openAcmeSession({
      directoryUrl: pebble.directoryUrl,
      accountKeyPem: accountKey,
      logger,
    });
    expect(again.accountUrl).toBe(session.accountUrl);
    const pebbleLog = await readFile(pebble.logPath, 'utf8');
    expect(pebbleLog.match(/There are now \d+ accounts in memory/g)).toHaveLength(1);
    const other = await openAcmeSession({
      directoryUrl: pebble.directoryUrl,
      accountKeyPem: generateKeyPem('ecdsa-p256'),
      logger,
    });
    expect(other.accountUrl).not.toBe(session.accountUrl);
    expect(postsTo(lines, directory.newAccount)).toBeGreaterThanOrEqual(2);
  });

  it('sends nothing while opening a session with a stored account URL', async () => {
    const { logger, lines } = recordingLogger();
    const known = await openAcmeSession({
      directoryUrl: pebble.directoryUrl,
      accountKeyPem: accountKey,
      accountUrl: session.accountUrl,
      logger,
    });
    expect(known.accountUrl).toBe(session.accountUrl);
    expect(lines.filter((l) => l.includes('HTTP request'))).toEqual([]);
  });

  it('issues for example.test and *.example.test through the CNAME, both TXT values at once', async () => {
    const identifiers = ['example.test', '*.example.test'];
    const certKey = generateKeyPem('ecdsa-p256');
    const order = await session.createOrder(identifiers);
    const challenges = await session.dnsChallenges(order);
    expect(challenges.map((c) => c.identifier).sort()).toEqual(['*.example.test', 'example.test']);
    expect(challenges.every((c) => c.txtName === '_acme-challenge.example.test')).toBe(true);
    expect(challenges.find((c) => c.identifier === '*.example.test')?.wildcard).toBe(true);
    const open = challenges.filter((c) => c.authorizationStatus !== 'valid');
    const refs = open.map((c) => ({ fqdn: TARGET, value: c.txtValue }));
    try {
      for (const ref of refs) await provider.publishTxt(ref);
      const seen = await bind.digTxt('_acme-challenge.example.test');
      expect(seen).toEqual(expect.arrayContaining(refs.map((r) => r.value)));
      for (const challenge of open) await session.answerChallenge(challenge);
      await session.waitForAuthorizationsValid(order, CA_WAIT);
    } finally {
      for (const ref of refs) await provider.removeTxt(ref);
    }
    expect(await bind.digTxt(TARGET, { norecurse: true })).toEqual([]);

    const ready = await session.getOrder(order.url);
    expect(ready.status).toBe('ready');
    const csr = await createCsr(
      { commonName: 'example.test', altNames: ['*.example.test'] },
      certKey,
    );
    const finalized = await session.finalize(ready, csr);
    const valid = await session.waitForOrderValid(finalized, CA_WAIT);
    const chainPem = await session.downloadCertificate(valid);

    const described = verifyIssuedCertificate({
      chainPem,
      keyPem: certKey,
      identifiers,
      now: new Date(),
    });
    expect(described.names.sort()).toEqual(['*.example.test', 'example.test']);
    expect(publicKeysEqual(chainPem, certKey)).toBe(true);
    const chain = splitChain(chainPem).map((pem) => new X509Certificate(pem));
    const root = new X509Certificate(await pebble.fetchRoot());
    const top = chain[chain.length - 1] as X509Certificate;
    expect(top.checkIssued(root) && top.verify(root.publicKey)).toBe(true);
  });

  // Runs after the issuance above, whose authorizations are now valid.
  it('reports authorizations the CA reuses as valid, with nothing left to answer', async () => {
    const order = await session.createOrder(['*.example.test', 'example.test']);
    expect(order.status).toBe('ready');
    const challenges = await session.dnsChallenges(order);
    expect(challenges.map((c) => c.authorizationStatus)).toEqual(['valid', 'valid']);
    expect(challenges.every((c) => c.challengeStatus === 'valid')).toBe(true);
  });

  // Pebble 2.4.0 panics (and resets the connection) when a blocklist entry has more labels than
  // an ordered name, so this CA has its own Pebble and orders only three-label names.
  it('reports a name on the CA blocklist as ca-rejected-identifier, not retryable, naming it', async () => {
    const strict = await startPebble({
      dnsServer: `${bind.host}:${bind.port}`,
      env: { PEBBLE_WFE_NONCEREJECT: nonceReject },
      blocklist: [BLOCKED],
    });
    try {
      const { logger } = recordingLogger();
      const own = await openAcmeSession({
        directoryUrl: strict.directoryUrl,
        accountKeyPem: generateKeyPem('ecdsa-p256'),
        logger,
      });
      const refused = await own.createOrder(['www.example.test', BLOCKED]).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(AcmeError);
      const error = refused as AcmeError;
      expect(error.code).toBe('ca-rejected-identifier');
      expect(error.retryable).toBe(false);
      expect(error.identifier).toBe(BLOCKED);
      expect(error.problemType).toBe('rejectedIdentifier');
      expect(error.message).toContain(`Creating order for ${BLOCKED} failed`);
      expect(error.message).toContain('the CA refuses to issue');
    } finally {
      await strict.stop();
    }
  });

  it('resumes an order from its URL without creating another', async () => {
    const { logger, lines } = recordingLogger();
    const resumed = await openAcmeSession({
      directoryUrl: pebble.directoryUrl,
      accountKeyPem: accountKey,
      accountUrl: session.accountUrl,
      logger,
    });
    const order = await session.createOrder(['example.test']);
    const again = await resumed.getOrder(order.url);
    expect(again.url).toBe(order.url);
    expect(again.authorizations).toEqual(order.authorizations);
    expect(again.identifiers).toEqual([{ type: 'dns', value: 'example.test' }]);
    expect(postsTo(lines, order.url)).toBeGreaterThanOrEqual(1);
    expect(postsTo(lines, directory.newOrder)).toBe(0);
  });
});
