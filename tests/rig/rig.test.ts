import { randomUUID, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import acme from 'acme-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rfc2136Provider } from '../../electron/core/dns/rfc2136.ts';
import { startBind, type BindRig, type RigTsigKey } from './bind.ts';
import { keyFileText } from './bind-conf.ts';
import { startKeyring, type KeyringRig } from './keyring.ts';
import { httpsGet, makeRigCa, startPebble, type PebbleRig } from './pebble.ts';
import { run } from './proc.ts';

let bind: BindRig;

beforeAll(async () => {
  bind = await startBind();
});

afterAll(async () => {
  await bind?.stop();
});

/** Runs nsupdate with one of the rig's validation keys; resolves nsupdate's exit and stderr. */
async function nsupdateWith(key: RigTsigKey, zone: string, line: string) {
  const keyFile = join(bind.dir, `${key.name}.test.key`);
  await writeFile(keyFile, keyFileText(key), { mode: 0o600 });
  const input = `server 127.0.0.1 ${bind.port}\nzone ${zone}\n${line}\nsend\n`;
  return run('nsupdate', ['-v', '-t', '5', '-k', keyFile], { input });
}

async function status(name: string, type: string): Promise<string> {
  const r = await run('dig', [`@127.0.0.1`, '-p', String(bind.port), '+time=2', name, type]);
  return /status: (\w+)/.exec(r.stdout)?.[1] ?? r.stdout;
}

describe('rig: BIND', () => {
  it('answers SOA for the root, customer and validation zones', async () => {
    for (const zone of ['.', bind.zones.customer, bind.zones.validation]) {
      expect(await bind.dig(zone, 'SOA', { norecurse: true })).toHaveLength(1);
    }
  });

  it('answers one TXT query at a challenge name with the CNAME and the target TXT together', async () => {
    const target = `${randomUUID()}.${bind.zones.validation}`;
    const name = `_acme-challenge.h1.${bind.zones.customer}`;
    await bind.addCustomerRecord(name, 'CNAME', `${target}.`);
    const added = await nsupdateWith(
      bind.tsig,
      bind.zones.validation,
      `update add ${target}. 60 IN TXT "token-1"`,
    );
    expect(added.stderr).toBe('');
    expect(await bind.dig(name, 'TXT')).toEqual([`${target}.`, '"token-1"']);
    expect(await bind.dig(name, 'TXT', { norecurse: true })).toEqual([`${target}.`]);
  });

  it('lets the validation keys change TXT in the validation zone only', async () => {
    const refusedCustomer = await nsupdateWith(
      bind.tsig,
      bind.zones.customer,
      `update add x.${bind.zones.customer}. 60 IN TXT "no"`,
    );
    expect(refusedCustomer.stderr).toMatch(/REFUSED/);
    const refusedA = await nsupdateWith(
      bind.tsig512,
      bind.zones.validation,
      `update add a.${bind.zones.validation}. 60 IN A 127.0.0.2`,
    );
    expect(refusedA.stderr).toMatch(/REFUSED/);
    const ok512 = await nsupdateWith(
      bind.tsig512,
      bind.zones.validation,
      `update add t.${bind.zones.validation}. 60 IN TXT "ok"`,
    );
    expect(ok512.stderr).toBe('');
  });

  it('answers names outside its zones from its own root zone and never asks the internet', async () => {
    expect(await status('letsencrypt.org', 'A')).toBe('NXDOMAIN');
  });
});

describe('rig: Pebble', () => {
  let pebble: PebbleRig;

  beforeAll(async () => {
    pebble = await startPebble({ dnsServer: `${bind.host}:${bind.port}` });
  });

  afterAll(async () => {
    await pebble?.stop();
  });

  it('serves its directory over TLS verified against the rig CA, and only that CA', async () => {
    const dir = JSON.parse(await httpsGet(pebble.directoryUrl, pebble.caPem)) as Record<
      string,
      unknown
    >;
    expect(dir).toHaveProperty('newOrder');
    const other = await mkdtemp(join(tmpdir(), 'certdesk-otherca-'));
    try {
      await makeRigCa(other);
      const otherCa = await readFile(join(other, 'ca.pem'), 'utf8');
      await expect(httpsGet(pebble.directoryUrl, otherCa)).rejects.toThrow(/certificate/i);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it('hands out its issuing root and intermediate as PEM on the management port', async () => {
    const root = new X509Certificate(await pebble.fetchRoot());
    const intermediate = new X509Certificate(await pebble.fetchIntermediate());
    expect(root.ca).toBe(true);
    expect(intermediate.checkIssued(root)).toBe(true);
  });

  it('validates dns-01 through the CNAME using the single answer BIND gives', async () => {
    acme.axios.defaults.httpsAgent = new Agent({ ca: pebble.caPem });
    const client = new acme.Client({
      directoryUrl: pebble.directoryUrl,
      accountKey: await acme.crypto.createPrivateEcdsaKey(),
      backoffMin: 100,
      backoffMax: 1000,
      backoffAttempts: 30,
    });
    await client.createAccount({ termsOfServiceAgreed: true });
    const host = `h-${randomUUID().slice(0, 8)}.${bind.zones.customer}`;
    const order = await client.createOrder({ identifiers: [{ type: 'dns', value: host }] });
    const [authz] = await client.getAuthorizations(order);
    const challenge = authz?.challenges.find((c) => c.type === 'dns-01');
    if (!authz || !challenge) throw new Error('Pebble offered no dns-01 challenge');
    const target = `${randomUUID()}.${bind.zones.validation}`;
    await bind.addCustomerRecord(`_acme-challenge.${host}`, 'CNAME', `${target}.`);
    const dns = new Rfc2136Provider({
      server: bind.host,
      port: bind.port,
      zone: bind.zones.validation,
      ...keyOf(bind.tsig),
    });
    await dns.publishTxt({
      fqdn: target,
      value: await client.getChallengeKeyAuthorization(challenge),
    });
    await client.completeChallenge(challenge);
    await expect(client.waitForValidStatus(authz)).resolves.toMatchObject({ status: 'valid' });
  });
});

function keyOf(k: RigTsigKey) {
  return { keyName: k.name, algorithm: k.algorithm, secret: k.secret };
}

describe('rig: keyring', () => {
  let keyring: KeyringRig;

  beforeAll(async () => {
    keyring = await startKeyring();
  });

  afterAll(async () => {
    await keyring?.stop();
  });

  it('round-trips a secret with secret-tool in a child process started with its env', async () => {
    const env = keyring.childEnv();
    const attrs = ['service', 'certdesk-rig', 'account', randomUUID()];
    const stored = await run('secret-tool', ['store', '--label=rig', ...attrs], {
      env,
      input: 'pem-body',
    });
    expect(stored.code).toBe(0);
    expect((await run('secret-tool', ['lookup', ...attrs], { env })).stdout).toBe('pem-body');
    expect(keyring.env.HOME.startsWith(keyring.dir)).toBe(true);
  });

  it('locks the login collection so writes fail as on a locked desktop', async () => {
    const env = keyring.childEnv();
    await keyring.lock();
    const r = await run(
      'secret-tool',
      ['store', '--label=rig', 'service', 'certdesk-rig', 'account', 'x'],
      { env, input: 'v' },
    );
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/locked/);
  });
});
