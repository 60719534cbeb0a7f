/**
 * checkChallengeRecord against a real BIND (tests/rig/bind.ts): the customer zone
 * example.test holds the administrator's records, validation.test is the validation zone.
 * Each test uses its own random base name, so the cases do not see each other's records.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResolverSettings } from '../../../shared/settings.ts';
import type { ChallengeRecord } from '../../../shared/types.ts';
import { checkChallengeRecord, describeFinding } from '../../../electron/core/dns/check.ts';
import { startBind, type BindRig } from '../../rig/bind.ts';
import { freePort } from '../../rig/ports.ts';
import { startQueryLog, type QueryLog } from './query-log.ts';

let bind: BindRig;
let resolver: ResolverSettings;

beforeAll(async () => {
  bind = await startBind();
  resolver = { kind: 'custom', host: bind.host, port: bind.port };
});

afterAll(async () => {
  await bind?.stop();
});

const label = () => `t${randomBytes(5).toString('hex')}`;

/** A challenge record for a fresh base name under example.test, pointing into validation.test. */
function freshRecord(): ChallengeRecord {
  const base = `${label()}.example.test`;
  return { base, name: `_acme-challenge.${base}`, value: `${label()}.validation.test`, ttl: 300 };
}

async function delegate(record: ChallengeRecord, target = record.value): Promise<void> {
  await bind.addCustomerRecord(record.name, 'CNAME', `${target}.`);
}

function check(record: ChallengeRecord, extra: { caIdentities?: string[]; ids?: string[] } = {}) {
  const identifiers = extra.ids ?? [record.base];
  return checkChallengeRecord(record, { resolver, identifiers, caIdentities: extra.caIdentities });
}

describe('checkChallengeRecord through a custom resolver (real BIND)', () => {
  it('reports ok for a CNAME to the expected value, naming the server that answered', async () => {
    const record = freshRecord();
    await delegate(record);
    const finding = await check(record);
    expect(finding).toMatchObject({ kind: 'ok', server: `127.0.0.1:${bind.port}` });
    expect(finding.found).toBe(`CNAME to ${record.value}.`);
    expect(finding.expected).toEqual({ name: record.name, type: 'CNAME', value: record.value });
  });

  it('compares the target case-insensitively and ignores the trailing dot', async () => {
    const record = freshRecord();
    await delegate(record, record.value.toUpperCase());
    expect((await check({ ...record, value: `${record.value}.` })).kind).toBe('ok');
  });

  it('reports missing with the exact record to create when nothing is there', async () => {
    const record = freshRecord();
    const finding = await check(record);
    expect(finding).toMatchObject({ kind: 'missing', found: 'no record' });
    expect(describeFinding(finding)).toContain(
      `Create ${record.name} CNAME ${record.value}. at your DNS provider`,
    );
  });

  it('names the wrong target a CNAME points to', async () => {
    const record = freshRecord();
    await delegate(record, 'other.example');
    const finding = await check(record);
    expect(finding).toMatchObject({ kind: 'wrong-target', target: 'other.example' });
    expect(finding.found).toBe('CNAME to other.example.');
    const sentence = describeFinding(finding);
    expect(sentence).toContain('other.example.');
    expect(sentence).toContain(`${record.name} CNAME ${record.value}.`);
  });

  it('accepts a two-hop chain that ends at the expected value', async () => {
    const record = freshRecord();
    const hop = `${label()}.example.test`;
    await delegate(record, hop);
    await bind.addCustomerRecord(hop, 'CNAME', `${record.value}.`);
    const finding = await check(record);
    expect(finding.kind).toBe('ok');
    expect(finding.found).toBe(`CNAME chain ${hop}. → ${record.value}.`);
  });

  it('diagnoses a CNAME loop x → y → x', async () => {
    const record = freshRecord();
    const [x, y] = [`x${label()}.example.test`, `y${label()}.example.test`];
    await delegate(record, x);
    await bind.addCustomerRecord(x, 'CNAME', `${y}.`);
    await bind.addCustomerRecord(y, 'CNAME', `${x}.`);
    const finding = await check(record);
    expect(finding).toMatchObject({ kind: 'cname-loop', chain: [record.name, x, y, x] });
    expect(describeFinding(finding)).toContain('loops');
  });

  async function chainOf(hops: number): Promise<ChallengeRecord> {
    const record = freshRecord();
    const names = [
      record.name,
      ...Array.from({ length: hops - 1 }, () => `${label()}.example.test`),
    ];
    const targets = [...names.slice(1), record.value];
    for (const [i, owner] of names.entries()) {
      await bind.addCustomerRecord(owner, 'CNAME', `${targets[i] as string}.`);
    }
    return record;
  }

  it('accepts a chain of exactly 8 CNAMEs and refuses one of 9 as too long', async () => {
    expect((await check(await chainOf(8))).kind).toBe('ok');
    const finding = await check(await chainOf(9));
    expect(finding.kind).toBe('chain-too-long');
    if (finding.kind !== 'chain-too-long') return;
    expect(finding.chain).toHaveLength(10);
    expect(finding.chain.at(-1)).toBe(finding.expected.value);
  });

  it('reports a TXT record sitting at _acme-challenge.<name> itself', async () => {
    const record = freshRecord();
    await bind.addCustomerRecord(record.name, 'TXT', 'abc');
    const finding = await check(record);
    expect(finding).toMatchObject({ kind: 'txt-at-name', values: ['abc'], found: 'TXT "abc"' });
    expect(describeFinding(finding)).toContain('Delete the TXT record');
  });

  it('reports CAA on the base that allows only another CA', async () => {
    const record = freshRecord();
    await delegate(record);
    await bind.addCustomerRecord(record.base, 'CAA', '0 issue "letsencrypt.org"');
    const finding = await check(record, { caIdentities: ['pebble.letsencrypt.org'] });
    expect(finding).toMatchObject({
      kind: 'caa-forbids',
      at: record.base,
      records: ['0 issue "letsencrypt.org"'],
      caIdentity: 'pebble.letsencrypt.org',
      identifier: record.base,
    });
    expect(describeFinding(finding)).toContain(`CAA 0 issue "pebble.letsencrypt.org"`);
  });

  it('finds the relevant CAA RRset on an ancestor and passes when it allows the CA', async () => {
    const parent = freshRecord();
    const base = `www.${parent.base}`;
    const child = { base, name: `_acme-challenge.${base}`, value: parent.value, ttl: 300 };
    await delegate(child);
    await bind.addCustomerRecord(parent.base, 'CAA', '0 issue "pebble.letsencrypt.org; x=1"');
    expect((await check(child, { caIdentities: ['Pebble.LetsEncrypt.org'] })).kind).toBe('ok');
    const other = await check(child, { caIdentities: ['ca.invalid'] });
    expect(other).toMatchObject({ kind: 'caa-forbids', at: parent.base });
  });

  it('applies issuewild ";" to the wildcard identifier only', async () => {
    const record = freshRecord();
    await delegate(record);
    await bind.addCustomerRecord(record.base, 'CAA', '0 issuewild ";"');
    const caIdentities = ['pebble.letsencrypt.org'];
    expect((await check(record, { caIdentities })).kind).toBe('ok');
    const both = await check(record, { caIdentities, ids: [record.base, `*.${record.base}`] });
    expect(both).toMatchObject({ kind: 'caa-forbids', identifier: `*.${record.base}` });
  });

  it('skips CAA when the CA publishes no CAA identities', async () => {
    const record = freshRecord();
    await delegate(record);
    await bind.addCustomerRecord(record.base, 'CAA', '0 issue ";"');
    expect((await check(record)).kind).toBe('ok');
  });

  it('returns a retryable dns-error when nothing listens at the resolver', async () => {
    const port = await freePort({ udp: true });
    const dead: ResolverSettings = { kind: 'custom', host: '127.0.0.1', port };
    const record = freshRecord();
    const finding = await checkChallengeRecord(record, {
      resolver: dead,
      identifiers: [record.base],
      timeoutMs: 200,
    });
    expect(finding).toMatchObject({
      kind: 'dns-error',
      retryable: true,
      server: `127.0.0.1:${port}`,
    });
    expect(describeFinding(finding)).toContain(`Certdesk could not check ${record.name}`);
    expect(finding.kind === 'dns-error' && finding.message).toContain(`127.0.0.1:${port}`);
  });
});

describe('checkChallengeRecord with the system resolver (authoritative servers, real BIND)', () => {
  let caching: QueryLog;
  const network = () => ({
    systemResolvers: [{ host: caching.host, port: caching.port }],
    authoritativePort: bind.port,
  });

  beforeAll(async () => {
    caching = await startQueryLog({ host: bind.host, port: bind.port });
  });

  afterAll(async () => {
    await caching?.stop();
  });

  it('finds the zone through SOA/NS and asks its nameserver directly, never the caching resolver', async () => {
    const record = freshRecord();
    await delegate(record);
    const finding = await checkChallengeRecord(record, {
      resolver: { kind: 'system' },
      identifiers: [record.base],
      network: network(),
    });
    // ns.example.test has the address 127.0.0.1 in the rig; the nameserver port is overridden.
    expect(finding).toMatchObject({ kind: 'ok', server: `127.0.0.1:${bind.port}` });
    expect(caching.names).toContain(record.base);
    expect(caching.names).not.toContain(record.name);
    expect(caching.names).not.toContain(record.value);
  });

  it('tells a missing record from a wrong target the same way', async () => {
    const record = freshRecord();
    const opts = {
      resolver: { kind: 'system' } as const,
      identifiers: [record.base],
      network: network(),
    };
    expect((await checkChallengeRecord(record, opts)).kind).toBe('missing');
    await delegate(record, `${label()}.validation.test`);
    expect((await checkChallengeRecord(record, opts)).kind).toBe('wrong-target');
    expect(caching.names).not.toContain(record.name);
  });
});
