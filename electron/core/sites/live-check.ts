/**
 * The live check after a deployment: connect to each HTTPS host of a site with TLS and SNI, read
 * the certificate it serves, and compare it with the one just deployed. A host still serving
 * another certificate is an alert (the web server was not reloaded, or reads other files).
 */
import tls from 'node:tls';
import { isIP } from 'node:net';

import { displayName, parseDnsName } from '../../../shared/names.ts';
import { CertdeskError } from '../errors.ts';
import { mapWithConcurrency } from './concurrency.ts';

/** Default HTTPS port. */
export const HTTPS_PORT = 443;

/** Hosts checked at the same time by {@link checkSite}; default. */
export const CHECK_CONCURRENCY = 4;

/** What a host answered. */
export type LiveStatus = 'serving-latest' | 'serving-other' | 'unreachable' | 'tls-error';

/** One host to check. */
export interface LiveCheckRequest {
  /** The host name (A-label), sent as SNI and shown in the result. */
  host: string;
  /** TCP port; default 443. */
  port?: number;
  /** The SNI name, when it differs from `host`. */
  servername?: string;
  /** SHA-256 fingerprint of the deployed leaf; colons and letter case do not matter. */
  expectedFingerprintSha256: string;
  /** Gives up after this many ms: no connection is `unreachable`, no handshake `tls-error`. */
  timeoutMs: number;
  /** Address to connect to instead of resolving `host` (a test server, one node behind a load
   * balancer); SNI still carries the host name. */
  connectHost?: string;
}

/** What one host serves. */
export interface LiveCheckResult {
  host: string;
  port: number;
  status: LiveStatus;
  /** Colon-separated upper-case hex, as Certdesk stores fingerprints; absent without a handshake. */
  servedFingerprintSha256?: string;
  /** End of validity of the served certificate, ISO 8601. */
  servedNotAfter?: string;
  /** Serial number of the served certificate, upper-case hex without colons. */
  servedSerial?: string;
  /** One sentence for the administrator. */
  message: string;
}

/** Options for {@link checkSite}, applied to every host. */
export interface SiteCheckOptions {
  port?: number;
  timeoutMs: number;
  connectHost?: string;
  /** Hosts checked at the same time; default {@link CHECK_CONCURRENCY}, at most 32. */
  concurrency?: number;
}

const comparable = (fingerprint: string): string => fingerprint.replaceAll(':', '').toUpperCase();

function invalid(message: string): CertdeskError {
  return new CertdeskError({ code: 'invalid-input', step: 'live-check', message });
}

function checkRequest(request: LiveCheckRequest): number {
  const parsed = parseDnsName(request.host);
  if (!parsed.ok || parsed.name.wildcard || parsed.name.ascii !== request.host.toLowerCase()) {
    throw invalid(
      `The live check needs a host name in A-label form; "${request.host}" is not one.`,
    );
  }
  const port = request.port ?? HTTPS_PORT;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw invalid(`The live check port ${String(port)} is not a TCP port (1-65535).`);
  }
  if (!/^[0-9a-f]{64}$/i.test(comparable(request.expectedFingerprintSha256))) {
    throw invalid('The expected certificate fingerprint is not a SHA-256 fingerprint.');
  }
  if (!Number.isFinite(request.timeoutMs) || request.timeoutMs <= 0) {
    throw invalid('The live check timeout must be a positive number of milliseconds.');
  }
  return port;
}

function describeServed(
  base: { host: string; port: number },
  peer: tls.PeerCertificate,
  expected: string,
): LiveCheckResult {
  const where = `${displayName(base.host)}:${base.port}`;
  const served = {
    servedFingerprintSha256: peer.fingerprint256.toUpperCase(),
    servedNotAfter: new Date(peer.valid_to).toISOString(),
    servedSerial: peer.serialNumber.replaceAll(':', '').toUpperCase(),
  };
  const facts = `serial ${served.servedSerial}, valid until ${served.servedNotAfter}`;
  if (comparable(peer.fingerprint256) === comparable(expected)) {
    const message = `${where} serves the certificate Certdesk deployed (${facts}).`;
    return { ...base, status: 'serving-latest', ...served, message };
  }
  const message =
    `${where} still serves another certificate (${facts}), not the one Certdesk deployed; ` +
    'reload the web server, or check that it reads the deployment folder.';
  return { ...base, status: 'serving-other', ...served, message };
}

function failure(
  base: { host: string; port: number },
  connected: boolean,
  reason: string,
): LiveCheckResult {
  const where = `${displayName(base.host)}:${base.port}`;
  if (!connected) {
    return { ...base, status: 'unreachable', message: `Could not connect to ${where}: ${reason}.` };
  }
  const message = `${where} accepted the connection, but the TLS handshake failed: ${reason}.`;
  return { ...base, status: 'tls-error', message };
}

/**
 * Connects to one host with TLS and SNI and compares the certificate it serves with the one
 * deployed. Sends no application data and closes the connection right after the handshake.
 * Never rejects for network trouble: that is an `unreachable` or `tls-error` result. Throws
 * CertdeskError 'invalid-input' when the host, port, fingerprint or timeout is malformed.
 */
export function checkLiveHost(request: LiveCheckRequest): Promise<LiveCheckResult> {
  const port = checkRequest(request);
  const base = { host: request.host, port };
  const servername = request.servername ?? request.host;
  return new Promise((resolve) => {
    let connected = false;
    let done = false;
    // rejectUnauthorized is false ONLY in this check, on purpose: trust is not what is being
    // decided here. The served certificate is compared by SHA-256 fingerprint with the exact
    // certificate Certdesk deployed, and nothing is ever sent over this connection, so an
    // untrusted (private CA, staging, expired) certificate must still be read and reported.
    // Every other TLS connection in Certdesk verifies the peer.
    const socket = tls.connect({
      host: request.connectHost ?? request.host,
      port,
      ...(isIP(servername) === 0 ? { servername } : {}),
      rejectUnauthorized: false,
    });
    const finish = (result: LiveCheckResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => {
      const what = connected ? 'no TLS handshake' : 'no connection';
      finish(failure(base, connected, `${what} within ${request.timeoutMs} ms`));
    }, request.timeoutMs);

    socket.once('connect', () => (connected = true));
    socket.once('secureConnect', () => {
      const peer = socket.getPeerCertificate();
      if (!peer || !peer.fingerprint256) {
        finish(failure(base, true, 'the server presented no certificate'));
      } else {
        finish(describeServed(base, peer, request.expectedFingerprintSha256));
      }
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      const code = error.code ? ` (${error.code})` : '';
      finish(failure(base, connected, `${error.message}${code}`));
    });
  });
}

/**
 * Checks every host of a site against the deployed certificate, at most `concurrency` at a
 * time; results are in the order of `hosts`, one per host, and never reject for network
 * trouble. Throws CertdeskError 'invalid-input' before connecting anywhere when a host or an
 * option is malformed.
 */
export async function checkSite(
  hosts: string[],
  expectedFingerprintSha256: string,
  options: SiteCheckOptions,
): Promise<LiveCheckResult[]> {
  const requests = hosts.map((host) => ({ ...options, host, expectedFingerprintSha256 }));
  requests.forEach(checkRequest);
  const concurrency = Math.min(options.concurrency ?? CHECK_CONCURRENCY, 32);
  return mapWithConcurrency(requests, concurrency, (request) => checkLiveHost(request));
}
