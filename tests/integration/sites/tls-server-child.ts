/**
 * Child process for the live-check test: a stand-in web server, Node's own TLS server, serving
 * the deployed folder's fullchain.pem and privkey.pem on 127.0.0.1 (port chosen by the OS).
 * Arguments: the folder, then the host names it serves (comma-separated). A handshake for any
 * other SNI name is refused, so a passing check proves SNI carried the host name.
 * SIGHUP reloads the files with setSecureContext, like `nginx -s reload`. Prints
 * `listening <port>`, and `reloaded <sha256>` (leaf fingerprint) after each reload.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import tls from 'node:tls';

const [folder, hostList] = process.argv.slice(2);
if (!folder || !hostList) throw new Error('usage: tls-server-child.ts <folder> <host,host>');
const hosts = hostList.split(',');

function loadFolder(): { cert: string; key: string } {
  return {
    cert: readFileSync(join(folder as string, 'fullchain.pem'), 'utf8'),
    key: readFileSync(join(folder as string, 'privkey.pem'), 'utf8'),
  };
}

const server = tls.createServer({
  ...loadFolder(),
  // A falsy context means "the server's own", which setSecureContext replaces on reload.
  SNICallback: (name, done) => {
    if (hosts.includes(name)) done(null, undefined);
    else done(new Error(`no certificate for ${name}`), undefined);
  },
});
server.on('secureConnection', (socket) => socket.end());
server.on('tlsClientError', () => undefined);

process.on('SIGHUP', () => {
  const files = loadFolder();
  server.setSecureContext(files);
  const fingerprint = new X509Certificate(files.cert).fingerprint256;
  process.stdout.write(`reloaded ${fingerprint}\n`);
});

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`listening ${port}\n`);
});
