/**
 * One HTTPS GET for small JSON resources (the ACME directory, renewalInfo). TLS is verified
 * against Node's trust store (bundled roots plus NODE_EXTRA_CA_CERTS); nothing here can turn
 * verification off. No redirects are followed, no connection is kept alive, the whole request
 * has a deadline, and an answer over {@link MAX_ANSWER_BYTES} is refused.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { request } from 'node:https';

/** Largest answer body read; renewalInfo and directory objects are a few hundred bytes. */
export const MAX_ANSWER_BYTES = 64 * 1024;

/** An HTTP answer of any status, with its body as text and when it arrived. */
export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** When the answer's headers arrived (the reference time of its Retry-After). */
  receivedAt: Date;
}

/**
 * GETs `url` (https only) and resolves with the answer whatever its status. Rejects on a
 * network or TLS failure, an answer over MAX_ANSWER_BYTES, or no complete answer within
 * `timeoutMs`; the socket is destroyed in each case.
 */
export function httpsGet(url: string, timeoutMs: number): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'GET',
      agent: false,
      headers: { accept: 'application/json' },
    });
    const timer = setTimeout(() => {
      req.destroy(new Error(`no complete answer within ${Math.round(timeoutMs / 100) / 10} s`));
    }, timeoutMs);
    const fail = (error: Error) => {
      clearTimeout(timer);
      reject(error);
    };
    req.on('error', fail);
    req.on('response', (res) => {
      const receivedAt = new Date();
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_ANSWER_BYTES)
          req.destroy(new Error(`answer larger than ${MAX_ANSWER_BYTES} bytes`));
        else chunks.push(chunk);
      });
      res.on('error', fail);
      res.on('end', () => {
        clearTimeout(timer);
        const body = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, receivedAt });
      });
    });
    req.end();
  });
}
