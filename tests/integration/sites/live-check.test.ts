import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { deployToFolder } from '../../../electron/core/sites/deploy.ts';
import { checkLiveHost, checkSite } from '../../../electron/core/sites/live-check.ts';
import { runPostDeploy } from '../../../electron/core/sites/post-deploy.ts';
import { freePort } from '../../rig/ports.ts';
import { exited, spawnTs, waitForLine } from '../../unit/store/fixtures.ts';
import { issueLeaf, makeTestCa, type TestCertificate } from './test-chain.ts';

const serverChild = fileURLToPath(new URL('./tls-server-child.ts', import.meta.url));
const HOSTS = ['www.example.test', 'example.test'];
const LOCAL = '127.0.0.1';
const TIMEOUT_MS = 10_000;

let root: string;
let folder: string;
let first: TestCertificate;
let second: TestCertificate;
let server: ChildProcess;
let port: number;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'certdesk-live-'));
  const ca = await makeTestCa(join(root, 'ca'));
  first = await issueLeaf(ca, HOSTS);
  second = await issueLeaf(ca, HOSTS, 'rsa');
  folder = join(root, 'site');
  await deployToFolder({ folder, chainPem: first.chainPem, keyPem: first.keyPem });
  server = spawnTs(serverChild, [folder, HOSTS.join(',')]);
  port = Number((await waitForLine(server, 'listening ')).split(' ')[1]);
});

afterAll(async () => {
  server?.kill('SIGKILL');
  if (server) await exited(server);
  await rm(root, { recursive: true, force: true });
});

/** A plain TCP server on 127.0.0.1 that does `onConnection` with each socket. */
async function tcpServer(
  onConnection: (socket: Socket) => void,
): Promise<{ server: Server; port: number }> {
  const tcp = createServer(onConnection);
  await new Promise<void>((resolve) => tcp.listen(0, LOCAL, resolve));
  const address = tcp.address();
  return { server: tcp, port: typeof address === 'object' && address ? address.port : 0 };
}

describe('live check against a real TLS server serving the deployed folder', () => {
  it('reports serving-latest for the certificate the server loaded, read through SNI', async () => {
    const result = await checkLiveHost({
      host: 'www.example.test',
      port,
      connectHost: LOCAL,
      expectedFingerprintSha256: first.fingerprintSha256,
      timeoutMs: TIMEOUT_MS,
    });
    expect(result).toMatchObject({
      host: 'www.example.test',
      port,
      status: 'serving-latest',
      servedFingerprintSha256: first.fingerprintSha256,
      servedSerial: first.serial,
    });
    expect(Date.parse(result.servedNotAfter ?? '')).toBeGreaterThan(Date.now());
    expect(result.message).toContain('serves the certificate Certdesk deployed');
  });

  it('alerts with serving-other after a redeploy until the reload, then serving-latest on every host', async () => {
    await deployToFolder({ folder, chainPem: second.chainPem, keyPem: second.keyPem });
    const before = await checkLiveHost({
      host: 'www.example.test',
      port,
      connectHost: LOCAL,
      expectedFingerprintSha256: second.fingerprintSha256.replaceAll(':', '').toLowerCase(),
      timeoutMs: TIMEOUT_MS,
    });
    expect(before.status).toBe('serving-other');
    expect(before.servedFingerprintSha256).toBe(first.fingerprintSha256);
    expect(before.message).toContain('still serves another certificate');

    const reloaded = waitForLine(server, `reloaded ${second.fingerprintSha256}`);
    const reload = await runPostDeploy({
      command: ['kill', '-HUP', String(server.pid)],
      timeoutMs: TIMEOUT_MS,
    });
    expect(reload.exitCode).toBe(0);
    await reloaded;

    const after = await checkSite(HOSTS, second.fingerprintSha256, {
      port,
      connectHost: LOCAL,
      timeoutMs: TIMEOUT_MS,
    });
    expect(after.map((r) => [r.host, r.status, r.servedSerial])).toEqual([
      ['www.example.test', 'serving-latest', second.serial],
      ['example.test', 'serving-latest', second.serial],
    ]);
  });

  it('reports tls-error when the server has no certificate for the SNI name', async () => {
    const result = await checkLiveHost({
      host: 'other.example.test',
      port,
      connectHost: LOCAL,
      expectedFingerprintSha256: second.fingerprintSha256,
      timeoutMs: TIMEOUT_MS,
    });
    expect(result.status).toBe('tls-error');
    expect(result.servedFingerprintSha256).toBeUndefined();
    expect(result.message).toMatch(
      /^other\.example\.test:\d+ accepted the connection, but the TLS handshake failed: /,
    );
  });
});

describe('live check failures', () => {
  it('reports unreachable when nothing listens', async () => {
    const closed = await freePort();
    const result = await checkLiveHost({
      host: 'www.example.test',
      port: closed,
      connectHost: LOCAL,
      expectedFingerprintSha256: first.fingerprintSha256,
      timeoutMs: TIMEOUT_MS,
    });
    expect(result.status).toBe('unreachable');
    expect(result.message).toMatch(/^Could not connect to www\.example\.test:\d+: .*ECONNREFUSED/);
  });

  it('reports tls-error when the peer does not speak TLS', async () => {
    const http = await tcpServer((socket) => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    try {
      const result = await checkLiveHost({
        host: 'www.example.test',
        port: http.port,
        connectHost: LOCAL,
        expectedFingerprintSha256: first.fingerprintSha256,
        timeoutMs: TIMEOUT_MS,
      });
      expect(result.status).toBe('tls-error');
    } finally {
      http.server.close();
    }
  });

  it('gives up with tls-error when the handshake never completes, keeping the order of the hosts', async () => {
    let connections = 0;
    const silent = await tcpServer((socket) => {
      connections += 1;
      socket.on('error', () => undefined);
    });
    try {
      const hosts = [
        'a.example.test',
        'b.example.test',
        'c.example.test',
        'd.example.test',
        'e.example.test',
      ];
      const results = await checkSite(hosts, first.fingerprintSha256, {
        port: silent.port,
        connectHost: LOCAL,
        timeoutMs: 300,
        concurrency: 2,
      });
      expect(results.map((r) => r.host)).toEqual(hosts);
      for (const result of results) {
        expect(result.status).toBe('tls-error');
        expect(result.message).toContain('no TLS handshake within 300 ms');
      }
      expect(connections).toBe(hosts.length);
    } finally {
      silent.server.close();
    }
  });

  it.each([
    ['a wildcard host', { host: '*.example.test' }, /A-label form/],
    ['a Unicode host', { host: 'bücher.example' }, /A-label form/],
    ['a bad port', { host: 'www.example.test', port: 70000 }, /not a TCP port/],
    [
      'a bad fingerprint',
      { host: 'www.example.test', expectedFingerprintSha256: 'AB:CD' },
      /not a SHA-256/,
    ],
  ])('refuses %s before connecting', (_, change, message) => {
    const request = {
      expectedFingerprintSha256: first.fingerprintSha256,
      timeoutMs: 1000,
      ...change,
    };
    expect(() => checkLiveHost(request)).toThrowError(message);
  });
});
