/** A TSIG key as the rig generated it with `tsig-keygen`. The secret is base64. */
export interface RigTsigKey {
  /** Key name as in named.conf, without trailing dot. */
  name: string;
  /** HMAC algorithm the key was generated for. */
  algorithm: 'hmac-sha256' | 'hmac-sha512';
  /** Base64 secret; test-only, but still never log it. */
  secret: string;
}

/** One record for a zone file: owner as an FQDN, value in zone-file presentation form. */
export interface RigRecord {
  /** Owner name, fully qualified (trailing dot optional). */
  name: string;
  /** RR type mnemonic, e.g. 'CNAME' or 'TXT'. */
  type: string;
  /** Rdata in presentation form; a TXT value not starting with '"' is quoted for you. */
  value: string;
  /** TTL in seconds; default 60. */
  ttl?: number;
}

/** Everything named.conf and the zone files are generated from. */
export interface BindLayout {
  /** Temp dir named runs in; every file it writes stays inside. */
  dir: string;
  /** Port for UDP and TCP on 127.0.0.1. */
  port: number;
  /** Customer zone name, no trailing dot. */
  customerZone: string;
  /** Validation zone name, no trailing dot. */
  validationZone: string;
  /** Keys granted `zonesub TXT` in the validation zone and nothing else. */
  validationKeys: RigTsigKey[];
  /** The rig's own key: any update in both zones; never handed to code under test. */
  adminKey: RigTsigKey;
  /** Records served from the start. */
  records: RigRecord[];
}

/** Lower-case, no trailing dot: the form zone names are compared in. */
export function bare(name: string): string {
  return name.replace(/\.$/, '').toLowerCase();
}

/** Quotes a TXT value for a zone file or nsupdate unless it is already quoted. */
export function presentValue(type: string, value: string): string {
  if (type.toUpperCase() !== 'TXT' || value.startsWith('"')) return value;
  const chunks = value.match(/[\s\S]{1,255}/g) ?? [''];
  return chunks.map((c) => `"${c.replace(/(["\\])/g, '\\$1')}"`).join(' ');
}

/** Parses `tsig-keygen` output into a key. */
export function parseKeygen(text: string): RigTsigKey {
  const name = /key "([^"]+)"/.exec(text)?.[1];
  const algorithm = /algorithm ([\w-]+);/.exec(text)?.[1];
  const secret = /secret "([^"]+)"/.exec(text)?.[1];
  if (!name || !secret || (algorithm !== 'hmac-sha256' && algorithm !== 'hmac-sha512')) {
    throw new Error('tsig-keygen printed something the rig cannot parse');
  }
  return { name, algorithm, secret };
}

function keyClause(k: RigTsigKey): string {
  return `key "${k.name}" { algorithm ${k.algorithm}; secret "${k.secret}"; };`;
}

/** The `key` block nsupdate reads with `-k` for the given key. */
export function keyFileText(k: RigTsigKey): string {
  return keyClause(k) + '\n';
}

function soa(zone: string): string {
  return [
    '$TTL 60',
    `${zone}. IN SOA ns.${zone}. hostmaster.${zone}. 1 3600 600 86400 60`,
    `${zone}. IN NS ns.${zone}.`,
    `ns.${zone}. IN A 127.0.0.1`,
  ].join('\n');
}

function recordLine(r: RigRecord): string {
  const owner = r.name.endsWith('.') ? r.name : `${r.name}.`;
  return `${owner} ${r.ttl ?? 60} IN ${r.type.toUpperCase()} ${presentValue(r.type, r.value)}`;
}

/** Zone file text for `zone`, holding the records of `records` whose owner lies inside it. */
export function zoneFile(zone: string, records: RigRecord[]): string {
  const inZone = records.filter((r) => {
    const n = bare(r.name);
    return n === zone || n.endsWith(`.${zone}`);
  });
  return [soa(zone), ...inZone.map(recordLine), ''].join('\n');
}

/** The local root zone: it makes recursion end on this machine with NXDOMAIN. */
export function rootZoneFile(): string {
  return [
    '$TTL 60',
    '. IN SOA ns.rig. hostmaster.rig. 1 3600 600 86400 60',
    '. IN NS ns.rig.',
    'ns.rig. IN A 127.0.0.1',
    '',
  ].join('\n');
}

/**
 * named.conf: one server on 127.0.0.1:<port>, authoritative for the root, customer and
 * validation zones, recursion only for 127.0.0.1 so a CNAME into the validation zone is
 * answered together with its TXT (Pebble sends exactly one query and follows nothing).
 * The customer zone takes updates from the admin key only; the validation zone takes TXT
 * updates from the validation keys and anything from the admin key.
 */
export function namedConf(l: BindLayout): string {
  const grants = l.validationKeys.map((k) => `grant ${k.name}. zonesub TXT;`).join(' ');
  return `${[...l.validationKeys, l.adminKey].map(keyClause).join('\n')}
options {
  directory "${l.dir}";
  pid-file "${l.dir}/named.pid";
  session-keyfile "${l.dir}/session.key";
  managed-keys-directory "${l.dir}";
  dump-file "${l.dir}/cache.db";
  statistics-file "${l.dir}/stats.txt";
  listen-on port ${l.port} { 127.0.0.1; };
  listen-on-v6 { none; };
  recursion yes;
  allow-recursion { 127.0.0.1; };
  allow-query { 127.0.0.1; };
  allow-transfer { 127.0.0.1; };
  dnssec-validation no;
  notify no;
  empty-zones-enable no;
  minimal-responses no;
};
controls { };
zone "." { type primary; file "root.db"; };
zone "${l.customerZone}" {
  type primary; file "customer.db"; allow-update { key ${l.adminKey.name}; };
};
zone "${l.validationZone}" {
  type primary; file "validation.db";
  update-policy { ${grants} grant ${l.adminKey.name}. zonesub ANY; };
};
`;
}
