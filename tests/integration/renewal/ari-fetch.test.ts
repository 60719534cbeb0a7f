/**
 * How fetchRenewalInfo behaves when the CA's side misbehaves, against real local HTTPS servers
 * (node:https with certificates openssl makes): one signed by the run's rig CA, which the test
 * workers trust through NODE_EXTRA_CA_CERTS, and one self-signed that nothing trusts. TLS
 * verification stays on; every failure is a clear 'ari-unavailable' or a null with a reason.
 */
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchRenewalInfo } from '../../../electron/core/renewal/ari.ts';
import { runOk } from '../../rig/proc.ts';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

let dir: string;
let trusted: { key: string; cert: string };
let untrusted: { key: string; cert: string };
const servers: Server[] = [];

async function tlsFiles(
  name: string,
  signedByRigCa: boolean,
): Promise<{ key: string; cert: string }> {
  const f = (s: string) => join(dir, `${name}.${s}`);
  const ec = [
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    f('key'),
  ];
  await writeFile(f('ext'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  if (signedByRigCa) {
    const ca = process.env.CERTDESK_RIG_TLS_DIR as string;
    await runOk('openssl', ['req', ...ec, '-subj', `/CN=${name}`, '-out', f('csr')]);
    const sign = [
      'x509',
      '-req',
      '-in',
      f('csr'),
      '-CA',
      join(ca, 'ca.pem'),
      '-CAkey',
      join(ca, 'ca.key'),
    ];
    await runOk('openssl', [
      ...sign,
      '-CAcreateserial',
      '-CAserial',
      f('srl'),
      '-days',
      '1',
      '-extfile',
      f('ext'),
      '-out',
      f('pem'),
    ]);
  } else {
    const ext = ['-addext', 'subjectAltName=IP:127.0.0.1'];
    await runOk('openssl', [
      'req',
      '-x509',
      ...ec,
      ...ext,
      '-subj',
      `/CN=${name}`,
      '-days',
      '1',
      '-out',
      f('pem'),
    ]);
  }
  return { key: await readFile(f('key'), 'utf8'), cert: await readFile(f('pem'), 'utf8') };
}

/** Starts an HTTPS server on 127.0.0.1 and returns its origin. */
async function serve(tls: { key: string; cert: string }, handler: Handler): Promise<string> {
  const server = createServer(tls, handler);
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A CA whose directory announces renewalInfo and answers it with `answer`. */
function ca(answer: Handler): Handler {
  return (req, res) => {
    if (req.url === '/dir') {
      const origin = `https://${req.headers.host}`;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ newOrder: `${origin}/new-order`, renewalInfo: `${origin}/ari/` }));
    } else answer(req, res);
  };
}

const json = (res: ServerResponse, status: number, body: unknown, headers = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'certdesk-ari-fetch-'));
  trusted = await tlsFiles('trusted', true);
  untrusted = await tlsFiles('untrusted', false);
});

afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
  await rm(dir, { recursive: true, force: true });
});

const WINDOW = { start: '2027-01-10T00:00:00Z', end: '2027-01-12T00:00:00Z' };

describe('fetchRenewalInfo against local HTTPS servers', () => {
  it('GETs <renewalInfo>/<certId> without a body and reads the window and Retry-After', async () => {
    const seen: { method?: string; url?: string; length?: string } = {};
    const origin = await serve(
      trusted,
      ca((req, res) => {
        Object.assign(seen, {
          method: req.method,
          url: req.url,
          length: req.headers['content-length'],
        });
        json(res, 200, { suggestedWindow: WINDOW }, { 'retry-after': '30' });
      }),
    );
    const result = await fetchRenewalInfo(`${origin}/dir`, 'aYhb.AIdl');
    expect(seen).toEqual({ method: 'GET', url: '/ari/aYhb.AIdl', length: undefined });
    expect(result.info?.windowStart.toISOString()).toBe('2027-01-10T00:00:00.000Z');
    expect(result.info?.windowEnd.toISOString()).toBe('2027-01-12T00:00:00.000Z');
    expect(result.info?.explanationUrl).toBeUndefined();
    // A 30 s Retry-After is raised to the one-minute minimum of RFC 9773 §4.3.
    expect(result.info?.retryAfter?.getTime()).toBeGreaterThan(Date.now() + 30_000);
  });

  it('refuses a server whose certificate nothing trusts, as ari-unavailable', async () => {
    const origin = await serve(
      untrusted,
      ca((_req, res) => json(res, 200, { suggestedWindow: WINDOW })),
    );
    await expect(fetchRenewalInfo(`${origin}/dir`, 'a.b')).rejects.toMatchObject({
      code: 'ari-unavailable',
      retryable: true,
      message: expect.stringMatching(/certificate/i),
    });
  });

  it('gives up on a server that never answers once the deadline passes', async () => {
    const origin = await serve(trusted, () => undefined);
    await expect(
      fetchRenewalInfo(`${origin}/dir`, 'a.b', { timeoutMs: 300 }),
    ).rejects.toMatchObject({
      code: 'ari-unavailable',
      message: expect.stringContaining('no complete answer within 0.3 s'),
    });
  });

  it.each([
    {
      label: 'an HTTP 500',
      answer: ((_q, res) => json(res, 500, {})) as Handler,
      text: 'HTTP 500',
    },
    {
      label: 'an answer over 64 KiB',
      answer: ((_q, res) => json(res, 200, { pad: 'x'.repeat(70_000) })) as Handler,
      text: 'larger than',
    },
  ])('reports $label from renewalInfo as ari-unavailable', async ({ answer, text }) => {
    const origin = await serve(trusted, ca(answer));
    await expect(fetchRenewalInfo(`${origin}/dir`, 'a.b')).rejects.toMatchObject({
      code: 'ari-unavailable',
      message: expect.stringContaining(text),
    });
  });

  it.each([
    { label: 'no suggestedWindow', body: { hello: 1 }, text: 'no readable suggestedWindow' },
    {
      label: 'times that are not RFC 3339',
      body: { suggestedWindow: { start: 1, end: 2 } },
      text: 'no readable',
    },
    {
      label: 'a window ending as it starts',
      body: { suggestedWindow: { start: WINDOW.start, end: WINDOW.start } },
      text: 'invalid and ignored',
    },
  ])('answers null with a reason for $label', async ({ body, text }) => {
    const origin = await serve(
      trusted,
      ca((_req, res) => json(res, 200, body)),
    );
    const result = await fetchRenewalInfo(`${origin}/dir`, 'a.b');
    expect(result).toMatchObject({ info: null, reason: expect.stringContaining(text) });
  });

  it('refuses a certificate identifier that is not one, and a directory that is not HTTPS', async () => {
    await expect(fetchRenewalInfo('https://127.0.0.1:9/dir', '../x')).rejects.toMatchObject({
      code: 'ari-unavailable',
      message: expect.stringContaining('not an ARI certificate identifier'),
    });
    await expect(fetchRenewalInfo('http://127.0.0.1:9/dir', 'a.b')).rejects.toMatchObject({
      code: 'ari-unavailable',
      message: expect.stringContaining('is not HTTPS'),
    });
  });
});
