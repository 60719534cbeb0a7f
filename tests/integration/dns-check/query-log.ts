/**
 * A logging UDP forwarder that stands in for the system's caching resolver: it passes each
 * query to a real DNS server and records the question, so a test can assert which names were
 * (never) asked through it (RELIABILITY.md D8).
 */
import { createSocket } from 'node:dgram';
import { canonicalName, decodeMessage } from '../../../electron/core/dns/wire.ts';

/** A running forwarder: where to send queries and what it saw. */
export interface QueryLog {
  host: string;
  port: number;
  /** Lower-case question names received, in order. */
  names: string[];
  stop(): Promise<void>;
}

/** Starts a forwarder on 127.0.0.1 that relays every UDP query to `upstream`. */
export async function startQueryLog(upstream: { host: string; port: number }): Promise<QueryLog> {
  const names: string[] = [];
  const front = createSocket('udp4');
  front.on('message', (msg, client) => {
    const q = decodeMessage(msg).questions[0];
    if (q) names.push(canonicalName(q.name));
    const back = createSocket('udp4');
    back.on('message', (reply) => {
      front.send(reply, client.port, client.address);
      back.close();
    });
    back.send(msg, upstream.port, upstream.host);
  });
  await new Promise<void>((resolve) => front.bind(0, '127.0.0.1', resolve));
  return {
    host: '127.0.0.1',
    port: front.address().port,
    names,
    stop: () => new Promise<void>((resolve) => front.close(() => resolve())),
  };
}
