/**
 * waitForTxtVisible against a real BIND: TXT values are published with the RFC 2136 provider
 * (TSIG) into validation.test, and the customer zone example.test holds the CNAME.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResolverSettings } from '../../../shared/settings.ts';
import { waitForTxtVisible, type TxtVisibilityOptions } from '../../../electron/core/dns/check.ts';
import { Rfc2136Provider } from '../../../electron/core/dns/rfc2136.ts';
import { CertdeskError } from '../../../electron/core/errors.ts';
import { startBind, type BindRig } from '../../rig/bind.ts';
import { freePort } from '../../rig/ports.ts';
import { startQueryLog } from './query-log.ts';

let bind: BindRig;
let provider: Rfc2136Provider;
let resolver: ResolverSettings;

beforeAll(async () => {
  bind = await startBind();
  resolver = { kind: 'custom', host: bind.host, port: bind.port };
  const { name: keyName, algorithm, secret } = bind.tsig;
  const zone = bind.zones.validation;
  provider = new Rfc2136Provider({
    server: bind.host,
    port: bind.port,
    zone,
    keyName,
    algorithm,
    secret,
  });
});

afterAll(async () => {
  await bind?.stop();
});

const label = () => `t${randomBytes(5).toString('hex')}`;
/** A 43-character value shaped like a DNS-01 key authorization digest. */
const digest = () => randomBytes(32).toString('base64url');

/** A delegated challenge record: `_acme-challenge.<base>` CNAME `<label>.validation.test`. */
async function delegated(): Promise<{ challengeName: string; fqdn: string }> {
  const challengeName = `_acme-challenge.${label()}.example.test`;
  const fqdn = `${label()}.validation.test`;
  await bind.addCustomerRecord(challengeName, 'CNAME', `${fqdn}.`);
  return { challengeName, fqdn };
}

function options(
  names: { challengeName: string; fqdn: string },
  value: string,
): TxtVisibilityOptions {
  return {
    ...names,
    value,
    authoritative: [{ host: bind.host, port: bind.port }],
    resolver,
    timeoutMs: 5000,
    intervalMs: 100,
  };
}

describe('waitForTxtVisible (real BIND, values published through RFC 2136)', () => {
  it('resolves once the value is served directly and through the CNAME', async () => {
    const names = await delegated();
    const value = digest();
    await provider.publishTxt({ fqdn: names.fqdn, value });
    await expect(waitForTxtVisible(options(names, value))).resolves.toBeUndefined();
  });

  it('finds the value beside a sibling value at the same name (apex plus wildcard)', async () => {
    const names = await delegated();
    const [a, b] = [digest(), digest()];
    await provider.publishTxt({ fqdn: names.fqdn, value: a });
    await provider.publishTxt({ fqdn: names.fqdn, value: b });
    await waitForTxtVisible(options(names, a));
    await waitForTxtVisible(options(names, b));
  });

  it('follows the CNAME on the authoritative servers when the system resolver is set', async () => {
    const names = await delegated();
    const value = digest();
    const caching = await startQueryLog({ host: bind.host, port: bind.port });
    try {
      const systemResolvers = [{ host: caching.host, port: caching.port }];
      const network = { systemResolvers, authoritativePort: bind.port };
      const opts = { ...options(names, value), resolver: { kind: 'system' as const }, network };
      const waiting = waitForTxtVisible({ ...opts, authoritative: [] });
      await provider.publishTxt({ fqdn: names.fqdn, value });
      await expect(waiting).resolves.toBeUndefined();
      expect(caching.names).not.toContain(names.challengeName);
      expect(caching.names).not.toContain(names.fqdn);
    } finally {
      await caching.stop();
    }
  });

  it('gives up with dns-txt-not-visible naming the server, the name and the time waited', async () => {
    const names = await delegated();
    await provider.publishTxt({ fqdn: names.fqdn, value: digest() });
    const error = await waitForTxtVisible({ ...options(names, digest()), timeoutMs: 300 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CertdeskError);
    const e = error as CertdeskError;
    expect(e).toMatchObject({ code: 'dns-txt-not-visible', retryable: true });
    expect(e.message).toContain(`127.0.0.1:${bind.port} (1 other value(s))`);
    expect(e.message).toContain(names.challengeName);
    expect(e.message).toMatch(/after \d+ s/);
  });

  it('waits for every listed authoritative server, naming the one that lags', async () => {
    const names = await delegated();
    const value = digest();
    await provider.publishTxt({ fqdn: names.fqdn, value });
    const deadPort = await freePort({ udp: true });
    const opts = options(names, value);
    opts.authoritative.push({ host: '127.0.0.1', port: deadPort });
    const error = await waitForTxtVisible({ ...opts, timeoutMs: 400, queryTimeoutMs: 100 }).catch(
      (e: unknown) => e as CertdeskError,
    );
    expect(error).toMatchObject({ code: 'dns-txt-not-visible' });
    const detail = (error as CertdeskError).detail ?? '';
    expect(detail).toContain(`127.0.0.1:${deadPort}`);
    expect(detail).not.toContain(`127.0.0.1:${bind.port} (`);
  });

  it('joins a TXT value longer than 255 bytes from its chunks before comparing', async () => {
    const names = await delegated();
    const value = randomBytes(150).toString('hex'); // 300 characters: two character-strings
    await provider.publishTxt({ fqdn: names.fqdn, value });
    const seen = await bind.dig(names.fqdn, 'TXT', { norecurse: true });
    expect(seen.join(' ').split('" "')).toHaveLength(2);
    await expect(waitForTxtVisible(options(names, value))).resolves.toBeUndefined();
  });

  it('stops waiting with the abort reason when its signal is aborted', async () => {
    const names = await delegated();
    const before = new AbortController();
    before.abort(new Error('template deleted'));
    const opts = { ...options(names, digest()), timeoutMs: 60_000 };
    await expect(waitForTxtVisible({ ...opts, signal: before.signal })).rejects.toThrow(
      'template deleted',
    );
    const during = new AbortController();
    const waiting = waitForTxtVisible({ ...opts, signal: during.signal });
    setTimeout(() => during.abort(new Error('app quitting')), 250);
    await expect(waiting).rejects.toThrow('app quitting');
  });
});
