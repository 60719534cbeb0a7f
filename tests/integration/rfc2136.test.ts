import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rfc2136Provider, type Rfc2136Options } from '../../electron/core/dns/rfc2136.ts';
import { encodeTsigRdata } from '../../electron/core/dns/tsig.ts';
import { encodeRecord } from '../../electron/core/dns/wire.ts';
import { startBind, type BindRig, type RigTsigKey } from '../rig/bind.ts';

let bind: BindRig;

beforeAll(async () => {
  bind = await startBind();
});

afterAll(async () => {
  await bind?.stop();
});

function provider(over: Partial<Rfc2136Options> = {}, key: RigTsigKey = bind.tsig) {
  return new Rfc2136Provider({
    server: bind.host,
    port: bind.port,
    zone: bind.zones.validation,
    keyName: key.name,
    algorithm: key.algorithm,
    secret: key.secret,
    timeoutMs: 5000,
    ...over,
  });
}

const fresh = () => `${randomUUID()}.${bind.zones.validation}`;
const txt = (fqdn: string) => bind.digTxt(fqdn, { norecurse: true });
const failure = (p: Promise<unknown>) =>
  p.then(
    () => expect.unreachable('no error'),
    (e: unknown) => e,
  );

describe('Rfc2136Provider against BIND 9 with TSIG', () => {
  it('publishes a TXT value with the right hmac-sha256 key and BIND serves it', async () => {
    const fqdn = fresh();
    await provider().publishTxt({ fqdn, value: 'first' });
    expect(await txt(fqdn)).toEqual(['first']);
    expect(await provider().listTxt(fqdn)).toEqual(['first']);
  });

  it('keeps two values at one name and removes exactly ours, leaving an unrelated keep-me', async () => {
    const fqdn = fresh();
    await bind.addValidationRecord(fqdn, 'TXT', 'keep-me');
    const p = provider();
    await p.publishTxt({ fqdn, value: 'base-A' });
    await p.publishTxt({ fqdn, value: 'wild-B' });
    expect(await txt(fqdn)).toEqual(['base-A', 'keep-me', 'wild-B']);
    await p.removeTxt({ fqdn, value: 'base-A' });
    expect(await txt(fqdn)).toEqual(['keep-me', 'wild-B']);
    await p.removeTxt({ fqdn, value: 'wild-B' });
    expect(await txt(fqdn)).toEqual(['keep-me']);
  });

  it('treats removing an absent value as a no-op and publishing twice as one value', async () => {
    const fqdn = fresh();
    const p = provider();
    await p.removeTxt({ fqdn, value: 'never-there' });
    await p.publishTxt({ fqdn, value: 'once' });
    await p.publishTxt({ fqdn, value: 'once' });
    await p.removeTxt({ fqdn, value: 'other' });
    expect(await txt(fqdn)).toEqual(['once']);
    expect(await p.listTxt(fqdn)).toEqual(['once']);
  });

  it('keeps every value when several orders publish at one name at the same time', async () => {
    const fqdn = fresh();
    const values = Array.from({ length: 6 }, (_, i) => `order-${i}`);
    await Promise.all(values.map((value) => provider().publishTxt({ fqdn, value })));
    expect(await txt(fqdn)).toEqual(values);
  });

  it('lists values over 255 bytes and sets larger than a UDP datagram, chunks joined', async () => {
    const fqdn = fresh();
    const values = ['a'.repeat(300), 'b'.repeat(400), 'c'.repeat(43)];
    for (const value of values) await provider().publishTxt({ fqdn, value });
    expect((await provider().listTxt(fqdn)).sort()).toEqual(values);
    expect(await txt(fqdn)).toEqual(values);
    expect(await provider().listTxt(fresh())).toEqual([]);
  });

  it('works with an hmac-sha512 key', async () => {
    const fqdn = fresh();
    const p = provider({}, bind.tsig512);
    await p.publishTxt({ fqdn, value: 'sha512' });
    expect(await txt(fqdn)).toEqual(['sha512']);
    await p.removeTxt({ fqdn, value: 'sha512' });
    expect(await txt(fqdn)).toEqual([]);
  });

  it('reports a wrong secret as BADSIG naming the server, and changes nothing', async () => {
    const fqdn = fresh();
    const wrong = randomBytes(32).toString('base64');
    const e = await failure(provider({ secret: wrong }).publishTxt({ fqdn, value: 'x' }));
    expect(e).toMatchObject({ code: 'dns-tsig-badsig', retryable: false });
    expect((e as Error).message).toContain(`${bind.host}:${bind.port}`);
    expect(await txt(fqdn)).toEqual([]);
  });

  it('reports an unknown key name as BADKEY', async () => {
    const e = await failure(
      provider({ keyName: 'no-such-key' }).publishTxt({ fqdn: fresh(), value: 'x' }),
    );
    expect(e).toMatchObject({ code: 'dns-tsig-badkey' });
    expect((e as Error).message).toContain('"no-such-key"');
  });

  it('is refused in the customer zone, which the validation key may not change', async () => {
    const p = provider({ zone: bind.zones.customer });
    const fqdn = `_acme-challenge.h1.${bind.zones.customer}`;
    const e = await failure(p.publishTxt({ fqdn, value: 'x' }));
    expect(e).toMatchObject({ code: 'dns-refused' });
    expect(await bind.dig(fqdn, 'TXT', { norecurse: true })).toEqual([]);
  });

  it('reports a zone the server does not serve as NOTAUTH', async () => {
    const e = await failure(
      provider({ zone: 'elsewhere.test' }).publishTxt({ fqdn: 'k.elsewhere.test', value: 'x' }),
    );
    expect(e).toMatchObject({ code: 'dns-notauth' });
  });

  it('refuses a name outside the configured zone before sending anything', async () => {
    const e = await failure(provider().publishTxt({ fqdn: 'k.other.test', value: 'x' }));
    expect(e).toMatchObject({ code: 'dns-name-outside-zone' });
  });

  // BIND cannot run under faketime on this machine (libfaketime recurses inside named's
  // jemalloc), so the skew is put on our side: the same BADTIME path, from BIND's own reply.
  it('reports BADTIME with a hint to check the system clock when the clocks differ by 10 minutes', async () => {
    const p = provider({ now: () => Date.now() + 600_000 });
    const e = await failure(p.publishTxt({ fqdn: fresh(), value: 'x' }));
    expect(e).toMatchObject({ code: 'dns-tsig-badtime', retryable: true });
    expect((e as Error).message).toContain('check the system clock');
  });
});

describe('Rfc2136Provider against servers that are not BIND', () => {
  const servers: Server[] = [];

  afterAll(() => servers.forEach((s) => s.close()));

  /** A TCP DNS responder that answers each request with `reply(request)`, or never. */
  async function responder(reply: (req: Buffer) => Buffer | undefined): Promise<number> {
    const server = createServer((sock) => {
      sock.on('error', () => undefined);
      sock.once('data', (d: Buffer) => {
        const answer = reply(d.subarray(2));
        if (!answer) return;
        const len = Buffer.alloc(2);
        len.writeUInt16BE(answer.length);
        sock.end(Buffer.concat([len, answer]));
      });
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return (server.address() as { port: number }).port;
  }

  function noerror(req: Buffer): Buffer {
    const h = Buffer.alloc(12);
    req.copy(h, 0, 0, 2);
    h.writeUInt16BE(0xa800, 2); // QR, opcode UPDATE, NOERROR
    return h;
  }

  function withForgedTsig(req: Buffer): Buffer {
    const h = noerror(req);
    h.writeUInt16BE(1, 10);
    const rdata = encodeTsigRdata({
      algorithm: 'hmac-sha256',
      timeSigned: Math.floor(Date.now() / 1000),
      fudge: 300,
      mac: randomBytes(32),
      originalId: req.readUInt16BE(0),
      error: 0,
      other: Buffer.alloc(0),
    });
    const rr = { name: bind.tsig.name, type: 250, class: 255, ttl: 0, data: rdata };
    return Buffer.concat([h, encodeRecord(rr)]);
  }

  it.each([
    ['an unsigned NOERROR', noerror, /was not signed/],
    ['a NOERROR with a forged MAC', withForgedTsig, /does not verify/],
  ])('rejects %s reply to an update', async (_, make, words) => {
    const port = await responder(make);
    const e = await failure(provider({ port }).publishTxt({ fqdn: fresh(), value: 'x' }));
    expect(e).toMatchObject({ code: 'dns-reply-unsigned' });
    expect((e as Error).message).toMatch(words);
  });

  it('gives up with dns-timeout when the server never answers', async () => {
    const port = await responder(() => undefined);
    const e = await failure(
      provider({ port, timeoutMs: 300 }).publishTxt({ fqdn: fresh(), value: 'x' }),
    );
    expect(e).toMatchObject({ code: 'dns-timeout', retryable: true });
  });

  it('reports a closed port as dns-unreachable', async () => {
    const port = await responder(() => undefined);
    servers.pop()?.close();
    await new Promise((r) => setImmediate(r));
    const e = await failure(provider({ port }).publishTxt({ fqdn: fresh(), value: 'x' }));
    expect(e).toMatchObject({ code: 'dns-unreachable', retryable: true });
  });
});

describe('the TSIG secret', () => {
  it('appears in no error, inspected object or serialised form', async () => {
    const canary = randomBytes(32);
    const forms = (b: Buffer) => [b.toString('base64'), b.toString('hex'), b.toString('base64url')];
    const secrets = [
      ...forms(canary),
      ...forms(Buffer.from(bind.tsig.secret, 'base64')),
      bind.tsig.secret,
    ];
    const outputs: string[] = [];
    const collect = async (p: Promise<unknown>) => {
      const e = await failure(p);
      outputs.push(
        String(e),
        (e as Error).stack ?? '',
        JSON.stringify(e),
        inspect(e, { depth: 10, showHidden: true }),
      );
    };
    const good = provider();
    const bad = provider({ secret: canary.toString('base64') });
    outputs.push(
      inspect(good, { depth: 10, showHidden: true }),
      JSON.stringify(good),
      inspect(bad, { showHidden: true }),
    );
    await collect(bad.publishTxt({ fqdn: fresh(), value: 'x' }));
    await collect(provider({ keyName: 'no-such-key' }).publishTxt({ fqdn: fresh(), value: 'x' }));
    await collect(
      provider({ zone: bind.zones.customer }).publishTxt({
        fqdn: `x.${bind.zones.customer}`,
        value: 'x',
      }),
    );
    await collect(
      provider({ now: () => Date.now() - 900_000 }).removeTxt({ fqdn: fresh(), value: 'x' }),
    );
    await collect(provider({ port: 9 }).publishTxt({ fqdn: fresh(), value: 'x' }));
    await collect(Promise.resolve().then(() => provider({ secret: `${canary.toString('hex')}!` })));
    await collect(
      Promise.resolve().then(() => provider({ algorithm: 'hmac-md5' as 'hmac-sha256' })),
    );
    expect(outputs.length).toBeGreaterThan(20);
    for (const out of outputs) for (const s of secrets) expect(out).not.toContain(s);
  });
});
