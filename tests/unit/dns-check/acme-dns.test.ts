import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AcmeDnsProvider,
  registerAcmeDns,
  type AcmeDnsRegistration,
} from '../../../electron/core/dns/acme-dns.ts';
import { CertdeskError } from '../../../electron/core/errors.ts';
import { freePort } from '../../rig/ports.ts';
import { startAcmeDnsFake, type AcmeDnsFake } from './acme-dns-fake.ts';

let fake: AcmeDnsFake;

beforeEach(async () => {
  fake = await startAcmeDnsFake();
});

afterEach(async () => {
  await fake.stop();
});

/** A 43-character DNS-01 digest. */
const digest = () => randomBytes(32).toString('base64url');

function providerFor(reg: AcmeDnsRegistration, overrides: Partial<AcmeDnsRegistration> = {}) {
  return new AcmeDnsProvider({
    serverUrl: fake.url,
    ...reg,
    ...overrides,
    resolver: { kind: 'custom', host: '127.0.0.1', port: fake.dnsPort },
    timeoutMs: 2000,
  });
}

async function failure(p: Promise<unknown>): Promise<CertdeskError> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CertdeskError);
  return error as CertdeskError;
}

/** Every place a secret could leak from an error. */
function everythingSaid(e: CertdeskError): string {
  return [e.message, e.detail, String(e.cause), JSON.stringify(e), inspect(e, { depth: 5 })].join(
    '\n',
  );
}

describe('acme-dns provider against a contract fake (acme-dns is not packaged for Debian, so an in-test server implements its API and two-slot rule)', () => {
  it('registers an account whose fulldomain lies in the acme-dns zone', async () => {
    const reg = await registerAcmeDns(fake.url, { allowFrom: ['127.0.0.0/8'] });
    expect(reg.fulldomain).toBe(`${reg.subdomain}.${fake.domain}`);
    expect(reg.username).not.toBe('');
    expect(reg.password).not.toBe('');
  });

  it('publishes two values (base name and wildcard) and lists both through DNS', async () => {
    const reg = await registerAcmeDns(fake.url);
    const provider = providerFor(reg);
    const [a, b] = [digest(), digest()];
    await provider.publishTxt({ fqdn: reg.fulldomain, value: a });
    await provider.publishTxt({ fqdn: reg.fulldomain, value: b });
    expect((await provider.listTxt(reg.fulldomain)).sort()).toEqual([a, b].sort());
  });

  it('lets a third value evict the oldest once that challenge was removed', async () => {
    const reg = await registerAcmeDns(fake.url);
    const provider = providerFor(reg);
    const [a, b, c] = [digest(), digest(), digest()];
    await provider.publishTxt({ fqdn: reg.fulldomain, value: a });
    await provider.publishTxt({ fqdn: reg.fulldomain, value: b });
    await provider.removeTxt({ fqdn: reg.fulldomain, value: a });
    expect(await provider.listTxt(reg.fulldomain)).toContain(a); // no delete in acme-dns
    await provider.publishTxt({ fqdn: reg.fulldomain, value: c });
    expect((await provider.listTxt(reg.fulldomain)).sort()).toEqual([b, c].sort());
  });

  it('refuses a third value while two challenges still use the slots, sending nothing', async () => {
    const reg = await registerAcmeDns(fake.url);
    const provider = providerFor(reg);
    const [a, b] = [digest(), digest()];
    await provider.publishTxt({ fqdn: reg.fulldomain, value: a });
    await provider.publishTxt({ fqdn: reg.fulldomain, value: b });
    const sent = fake.requests.length;
    const e = await failure(provider.publishTxt({ fqdn: reg.fulldomain, value: digest() }));
    expect(e).toMatchObject({ code: 'acme-dns-slots-full', retryable: true });
    expect(fake.requests).toHaveLength(sent);
    expect(fake.served(reg.subdomain).sort()).toEqual([a, b].sort());
  });

  it('does not update again for a value DNS already serves, so a resumed attempt keeps its sibling', async () => {
    const reg = await registerAcmeDns(fake.url);
    const [a, b] = [digest(), digest()];
    const first = providerFor(reg);
    await first.publishTxt({ fqdn: reg.fulldomain, value: a });
    await first.publishTxt({ fqdn: reg.fulldomain, value: b });
    const resumed = providerFor(reg); // a new process after a crash
    await resumed.publishTxt({ fqdn: reg.fulldomain, value: b });
    await resumed.publishTxt({ fqdn: reg.fulldomain, value: a });
    expect(fake.requests.filter((p) => p === '/update')).toHaveLength(2);
    expect(fake.served(reg.subdomain).sort()).toEqual([a, b].sort());
  });

  it('maps a bad key to acme-dns-unauthorized, not retryable, after exactly one request', async () => {
    const reg = await registerAcmeDns(fake.url);
    const wrongKey = `${reg.password.slice(0, -4)}XXXX`;
    const provider = providerFor(reg, { password: wrongKey });
    const before = fake.requests.length;
    const e = await failure(provider.publishTxt({ fqdn: reg.fulldomain, value: digest() }));
    expect(e).toMatchObject({ code: 'acme-dns-unauthorized', retryable: false });
    expect(e.message).toBe(
      `acme-dns refused the credentials for ${reg.fulldomain} (check allowfrom and the stored credentials).`,
    );
    expect(fake.requests.slice(before)).toEqual(['/update']);
    for (const secret of [reg.username, reg.password, wrongKey]) {
      expect(everythingSaid(e)).not.toContain(secret);
    }
  });

  it('maps an update from outside allowfrom to acme-dns-unauthorized', async () => {
    const reg = await registerAcmeDns(fake.url, { allowFrom: ['192.0.2.0/24'] });
    const e = await failure(providerFor(reg).publishTxt({ fqdn: reg.fulldomain, value: digest() }));
    expect(e.code).toBe('acme-dns-unauthorized');
  });

  it('refuses values that are not 43 characters and names outside the registration, sending nothing', async () => {
    const reg = await registerAcmeDns(fake.url);
    const provider = providerFor(reg);
    const before = fake.requests.length;
    const short = await failure(provider.publishTxt({ fqdn: reg.fulldomain, value: 'abc' }));
    expect(short.code).toBe('acme-dns-invalid-txt');
    const elsewhere = provider.publishTxt({ fqdn: `other.${fake.domain}`, value: digest() });
    expect((await failure(elsewhere)).code).toBe('acme-dns-wrong-name');
    expect(fake.requests).toHaveLength(before);
  });

  it('reports server errors and an unreachable server as retryable, without credentials', async () => {
    const reg = await registerAcmeDns(fake.url);
    fake.failing = true;
    const busy = await failure(
      providerFor(reg).publishTxt({ fqdn: reg.fulldomain, value: digest() }),
    );
    expect(busy).toMatchObject({ code: 'acme-dns-server-error', retryable: true });
    const port = await freePort();
    const down = new AcmeDnsProvider({
      ...reg,
      serverUrl: `http://127.0.0.1:${port}`,
      resolver: { kind: 'custom', host: '127.0.0.1', port: fake.dnsPort },
    });
    const e = await failure(down.publishTxt({ fqdn: reg.fulldomain, value: digest() }));
    expect(e).toMatchObject({ code: 'acme-dns-unreachable', retryable: true });
    for (const err of [busy, e]) {
      expect(everythingSaid(err)).not.toContain(reg.password);
      expect(everythingSaid(err)).not.toContain(reg.username);
    }
  });

  it('keeps the credentials out of the provider object as printed or serialized', async () => {
    const reg = await registerAcmeDns(fake.url);
    const provider = providerFor(reg);
    const shown = `${JSON.stringify(provider)}${inspect(provider, { depth: 5, showHidden: true })}`;
    expect(shown).not.toContain(reg.password);
    expect(shown).not.toContain(reg.username);
  });
});
