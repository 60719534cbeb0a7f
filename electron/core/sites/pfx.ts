/**
 * A PKCS#12 (PFX) file holding a certificate's private key and chain, for Windows, IIS, Java and
 * other servers that want one password-protected file (RFC 7292).
 *
 * node-forge's own toPkcs12Asn1 reads RSA keys only and fixes the integrity MAC to SHA-1, so the
 * structure is assembled here with forge's ASN.1 encoder instead:
 * - the key travels in a pkcs8ShroudedKeyBag, encrypted by node:crypto (OpenSSL) as PKCS#8 with
 *   PBES2: PBKDF2-HMAC-SHA256 and AES-256-CBC, which works for RSA and ECDSA keys alike;
 * - the certificates (public data) sit in plain certBags, leaf first, the leaf and the key
 *   paired by a localKeyId (SHA-1 of the leaf, as OpenSSL does);
 * - the integrity MAC is HMAC-SHA256 over a key from the PKCS#12 KDF (RFC 7292 appendix B).
 * OpenSSL 3, Windows 10 1709+ / Server 2019+ and Java 8u301+ read this format; older Windows
 * versions need 3DES/SHA-1, which Certdesk does not write.
 *
 * Work factor: 2048 iterations for both key derivations, OpenSSL's default (node:crypto offers no
 * other for PKCS#8). That slows guessing only a little, so the password must be long and random:
 * the caller should generate it (for example 24 random characters) and keep it in the keychain.
 */
import { createHash, createPrivateKey, randomBytes, X509Certificate } from 'node:crypto';
import forge from 'node-forge';

const { asn1 } = forge;
type Asn1 = forge.asn1.Asn1;

/** Iterations of the MAC key derivation; OpenSSL's default, matching the key encryption. */
const MAC_ITERATIONS = 2048;

/** RFC 7292 / PKCS#9 / NIST object identifiers used below. */
const OID = {
  data: '1.2.840.113549.1.7.1',
  shroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  localKeyId: '1.2.840.113549.1.9.21',
  sha256: '2.16.840.1.101.3.4.2.1',
} as const;

/** What goes into a PFX. */
export interface PfxInput {
  /** The certificate's private key, PEM (PKCS#8 or traditional). Never logged. */
  keyPem: string;
  /** The certificates, PEM each, leaf first. */
  certificatesPem: string[];
  /** Protects the key and the file's integrity; must not be empty. */
  password: string;
}

const seq = (items: Asn1[]): Asn1 =>
  asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, items);
const set = (items: Asn1[]): Asn1 => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SET, true, items);
const oid = (id: string): Asn1 =>
  asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(id).getBytes());
const octets = (bytes: string): Asn1 =>
  asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, bytes);
const explicit0 = (inner: Asn1): Asn1 => asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [inner]);
const binary = (buffer: Buffer): string => buffer.toString('binary');
const der = (node: Asn1): string => asn1.toDer(node).getBytes();

/** A SafeBag (RFC 7292 section 4.2) with an optional localKeyId attribute. */
function safeBag(bagId: string, value: Asn1, localKeyId?: string): Asn1 {
  const items = [oid(bagId), explicit0(value)];
  if (localKeyId !== undefined) {
    items.push(set([seq([oid(OID.localKeyId), set([octets(localKeyId)])])]));
  }
  return seq(items);
}

/** A ContentInfo of type data wrapping DER bytes. */
function dataContent(bytes: string): Asn1 {
  return seq([oid(OID.data), explicit0(octets(bytes))]);
}

function certBag(pem: string, localKeyId?: string): Asn1 {
  const certificate = explicit0(octets(binary(new X509Certificate(pem).raw)));
  return safeBag(OID.certBag, seq([oid(OID.x509Certificate), certificate]), localKeyId);
}

function shroudedKeyBag(keyPem: string, password: string, localKeyId: string): Asn1 {
  const encrypted = createPrivateKey(keyPem).export({
    format: 'der',
    type: 'pkcs8',
    cipher: 'aes-256-cbc',
    passphrase: password,
  });
  return safeBag(OID.shroudedKeyBag, asn1.fromDer(binary(encrypted)), localKeyId);
}

/** MacData (RFC 7292 section 4) with HMAC-SHA256 over the AuthenticatedSafe's DER. */
function macData(authSafeDer: string, password: string): Asn1 {
  const salt = binary(randomBytes(16));
  const sha256 = forge.md.sha256.create();
  const key = forge.pkcs12.generateKey(
    password,
    forge.util.createBuffer(salt),
    3, // ID 3: the derived bytes are a MAC key (RFC 7292 B.3)
    MAC_ITERATIONS,
    32,
    sha256,
  );
  const hmac = forge.hmac.create();
  hmac.start('sha256', key);
  hmac.update(authSafeDer);
  const algorithm = seq([
    oid(OID.sha256),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, ''),
  ]);
  const iterations = asn1.create(
    asn1.Class.UNIVERSAL,
    asn1.Type.INTEGER,
    false,
    asn1.integerToDer(MAC_ITERATIONS).getBytes(),
  );
  return seq([seq([algorithm, octets(hmac.digest().getBytes())]), octets(salt), iterations]);
}

/**
 * Builds a PFX (DER bytes) with the key and every certificate of `certificatesPem`. Throws a
 * plain Error when the password is empty, no certificate is given, or the key or a
 * certificate cannot be read; messages never contain key material. Synchronous: it blocks for
 * a few tens of milliseconds.
 */
export function buildPfx(input: PfxInput): Buffer {
  if (input.password.length === 0) throw new Error('The PFX password is empty.');
  const [leafPem] = input.certificatesPem;
  if (leafPem === undefined) throw new Error('A PFX needs at least one certificate.');
  const localKeyId = binary(createHash('sha1').update(new X509Certificate(leafPem).raw).digest());

  const certBags = input.certificatesPem.map((pem, i) =>
    certBag(pem, i === 0 ? localKeyId : undefined),
  );
  const keyBag = shroudedKeyBag(input.keyPem, input.password, localKeyId);
  const authSafe = seq([dataContent(der(seq(certBags))), dataContent(der(seq([keyBag])))]);
  const authSafeDer = der(authSafe);

  const version = asn1.create(
    asn1.Class.UNIVERSAL,
    asn1.Type.INTEGER,
    false,
    asn1.integerToDer(3).getBytes(),
  );
  const pfx = seq([version, dataContent(authSafeDer), macData(authSafeDer, input.password)]);
  return Buffer.from(der(pfx), 'binary');
}
