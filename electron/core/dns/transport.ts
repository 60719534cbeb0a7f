import { createSocket } from 'node:dgram';
import { connect, isIPv6 } from 'node:net';

/** A failed exchange: `timedOut` tells a timeout from a socket error. Never holds a secret. */
export class DnsTransportError extends Error {
  /** True when the deadline passed before a full reply arrived. */
  readonly timedOut: boolean;

  constructor(message: string, timedOut: boolean, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.timedOut = timedOut;
  }
}

/** Where to send a message and how long the whole exchange may take. */
export interface DnsEndpoint {
  /** IP address or host name of the server. */
  host: string;
  /** Its port. */
  port: number;
  /** Deadline for the whole exchange, connect included. */
  timeoutMs: number;
}

/**
 * Sends one message over TCP (2-byte length prefix, RFC 1035 §4.2.2) and resolves with the
 * first complete reply whose ID matches. Rejects with DnsTransportError on timeout, refused
 * connection, early close or an ID mismatch. The socket is always closed.
 */
export function exchangeTcp(ep: DnsEndpoint, msg: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: ep.host, port: ep.port });
    let buf = Buffer.alloc(0);
    let done = false;
    const finish = (err: Error | null, reply?: Buffer) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(reply as Buffer);
    };
    const timer = setTimeout(() => finish(new DnsTransportError('timeout', true)), ep.timeoutMs);
    socket.on('connect', () => socket.write(Buffer.concat([u16(msg.length), msg])));
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length < 2 || buf.length < 2 + buf.readUInt16BE(0)) return;
      const reply = buf.subarray(2, 2 + buf.readUInt16BE(0));
      if (reply.length < 2 || reply.readUInt16BE(0) !== msg.readUInt16BE(0)) {
        finish(new DnsTransportError('reply ID does not match the request', false));
      } else finish(null, Buffer.from(reply));
    });
    socket.on('error', (e) => finish(new DnsTransportError(e.message, false, e)));
    socket.on('close', () =>
      finish(new DnsTransportError('connection closed before a reply', false)),
    );
  });
}

/**
 * Sends one message over UDP and resolves with the first datagram from the server whose ID
 * matches (others are ignored, RFC 5452 §9.1). The caller retries over TCP when TC is set.
 */
export function exchangeUdp(ep: DnsEndpoint, msg: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = createSocket(isIPv6(ep.host) ? 'udp6' : 'udp4');
    let done = false;
    const finish = (err: Error | null, reply?: Buffer) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.close();
      if (err) reject(err);
      else resolve(reply as Buffer);
    };
    const timer = setTimeout(() => finish(new DnsTransportError('timeout', true)), ep.timeoutMs);
    socket.on('message', (reply, rinfo) => {
      if (rinfo.port !== ep.port || reply.length < 12) return;
      if (reply.readUInt16BE(0) === msg.readUInt16BE(0)) finish(null, reply);
    });
    socket.on('error', (e) => finish(new DnsTransportError(e.message, false, e)));
    socket.send(msg, ep.port, ep.host, (e) => {
      if (e) finish(new DnsTransportError(e.message, false, e));
    });
  });
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n, 0);
  return b;
}
