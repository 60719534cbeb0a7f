/**
 * Just enough DER (ITU-T X.690) to read the two fields an ARI certificate identifier needs from
 * a certificate (RFC 5280 §4.1): the serial number's content bytes, exactly as encoded, and the
 * keyIdentifier of the Authority Key Identifier extension (§4.2.1.1). node:crypto's
 * X509Certificate exposes neither as bytes: its serial is re-formatted hex and it has no AKI.
 * Every read is bounds-checked; malformed input throws a plain Error the caller wraps.
 */

/** One DER element: its tag byte and where its content lies in the buffer. */
export interface DerElement {
  tag: number;
  /** Offset of the first content byte. */
  start: number;
  /** Offset just past the last content byte. */
  end: number;
}

const SEQUENCE = 0x30;
const INTEGER = 0x02;
const OCTET_STRING = 0x04;
const OID = 0x06;
const BOOLEAN = 0x01;
const VERSION_TAG = 0xa0; // [0] EXPLICIT in TBSCertificate
const EXTENSIONS_TAG = 0xa3; // [3] EXPLICIT in TBSCertificate
const KEY_IDENTIFIER_TAG = 0x80; // [0] IMPLICIT in AuthorityKeyIdentifier
/** 2.5.29.35, id-ce-authorityKeyIdentifier, as DER content bytes. */
const AKI_OID = Buffer.from([0x55, 0x1d, 0x23]);

/** Reads the element starting at `offset`, which must end at or before `limit`. */
export function readElement(der: Uint8Array, offset: number, limit = der.length): DerElement {
  if (offset + 2 > limit) throw new Error('DER element truncated');
  const tag = der[offset] as number;
  if ((tag & 0x1f) === 0x1f) throw new Error('DER high tag numbers are not used in certificates');
  let length = der[offset + 1] as number;
  let start = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4 || start + count > limit) throw new Error('DER length invalid');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (der[start + i] as number);
    start += count;
  }
  const end = start + length;
  if (end > limit) throw new Error('DER element longer than its container');
  return { tag, start, end };
}

/** The elements directly inside a constructed element, in order. */
export function childrenOf(der: Uint8Array, parent: DerElement): DerElement[] {
  const children: DerElement[] = [];
  for (let at = parent.start; at < parent.end;) {
    const child = readElement(der, at, parent.end);
    children.push(child);
    at = child.end;
  }
  return children;
}

function expectTag(element: DerElement | undefined, tag: number, what: string): DerElement {
  if (!element || element.tag !== tag) throw new Error(`DER: ${what} not found`);
  return element;
}

/** The two fields of a certificate that make its ARI CertID; `keyIdentifier` may be absent. */
export interface CertIdFields {
  /** Content bytes of the serialNumber INTEGER, leading zero byte included when encoded. */
  serial: Buffer;
  /** keyIdentifier of the AKI extension; undefined when the extension or the field is absent. */
  keyIdentifier: Buffer | undefined;
}

/** Reads serial and AKI keyIdentifier from a certificate's DER. Throws on malformed DER. */
export function certIdFields(der: Uint8Array): CertIdFields {
  const cert = expectTag(readElement(der, 0), SEQUENCE, 'Certificate');
  const tbs = expectTag(childrenOf(der, cert)[0], SEQUENCE, 'TBSCertificate');
  const fields = childrenOf(der, tbs);
  const hasVersion = fields[0]?.tag === VERSION_TAG;
  const serial = expectTag(fields[hasVersion ? 1 : 0], INTEGER, 'serialNumber');
  const extensions = fields.find((f) => f.tag === EXTENSIONS_TAG);
  return {
    serial: Buffer.from(der.subarray(serial.start, serial.end)),
    keyIdentifier: extensions ? keyIdentifierOf(der, extensions) : undefined,
  };
}

function keyIdentifierOf(der: Uint8Array, extensionsTag: DerElement): Buffer | undefined {
  const list = expectTag(childrenOf(der, extensionsTag)[0], SEQUENCE, 'Extensions');
  for (const extension of childrenOf(der, list)) {
    const [id, second, third] = childrenOf(der, expectTag(extension, SEQUENCE, 'Extension'));
    const oid = expectTag(id, OID, 'extnID');
    if (!AKI_OID.equals(der.subarray(oid.start, oid.end))) continue;
    const value = expectTag(second?.tag === BOOLEAN ? third : second, OCTET_STRING, 'extnValue');
    const aki = expectTag(readElement(der, value.start, value.end), SEQUENCE, 'AKI');
    const keyId = childrenOf(der, aki).find((f) => f.tag === KEY_IDENTIFIER_TAG);
    return keyId ? Buffer.from(der.subarray(keyId.start, keyId.end)) : undefined;
  }
  return undefined;
}
