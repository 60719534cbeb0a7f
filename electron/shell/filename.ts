/**
 * Makes a file name the renderer suggested safe to offer in the save dialog (RELIABILITY I4).
 * The result is one plain name, never a path: no separators, no `..`, no control or
 * direction-changing characters, no Windows reserved device name, no trailing dot or space,
 * no leading dot (hidden file), at most 255 bytes of UTF-8. A `*` (from a wildcard common
 * name) becomes `_wildcard_` so `*.example.com` stays readable.
 */

/** Longest name, in UTF-8 bytes, that ext4, APFS and NTFS all accept. */
export const MAX_FILE_NAME_BYTES = 255;

/** Used when nothing safe is left of the suggestion. */
export const FALLBACK_FILE_NAME = 'certdesk-export';

// Device names Windows reserves with any extension (CON.csv opens the console).
const RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)$/i;

// Characters Windows forbids in names, plus both separators.
const FORBIDDEN_CHARACTERS = /[<>:"/\\|?]/g;

// C0/C1 controls, zero-width and bidirectional controls (they disguise extensions).
const INVISIBLE_CHARACTERS = /[\p{Cc}\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/gu;

const encoder = new TextEncoder();

function byteLength(text: string): number {
  return encoder.encode(text).length;
}

/** Cuts whole code points off the end until the text fits `maxBytes`. */
function truncateToBytes(text: string, maxBytes: number): string {
  const points = Array.from(text);
  while (points.length > 0 && byteLength(points.join('')) > maxBytes) points.pop();
  return points.join('');
}

/** Keeps the extension (when it is short) and shortens the stem to fit the byte limit. */
function fitLength(name: string): string {
  if (byteLength(name) <= MAX_FILE_NAME_BYTES) return name;
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : '';
  const stem = extension ? name.slice(0, dot) : name;
  const room = MAX_FILE_NAME_BYTES - byteLength(extension);
  return trimEnds(truncateToBytes(stem, room)) + extension;
}

/** Drops leading dots and spaces and trailing dots and spaces. */
function trimEnds(name: string): string {
  return name.replace(/^[.\s]+/u, '').replace(/[.\s]+$/u, '');
}

/** Prefixes a reserved device name (by its stem, so `CON.csv` too) with `_`. */
function unreserve(name: string): string {
  const stem = name.split('.')[0] ?? '';
  return RESERVED.test(stem.trimEnd()) ? `_${name}` : name;
}

/**
 * The safe version of `suggested`, or {@link FALLBACK_FILE_NAME} when nothing usable is left.
 * Pure and idempotent: sanitizing a sanitized name returns it unchanged.
 */
export function sanitizeFileName(suggested: unknown): string {
  if (typeof suggested !== 'string') return FALLBACK_FILE_NAME;
  let name = suggested.normalize('NFC').replace(INVISIBLE_CHARACTERS, '');
  name = name.replaceAll('*', '_wildcard_').replace(FORBIDDEN_CHARACTERS, '_');
  name = name.replace(/\.{2,}/g, '.');
  name = unreserve(trimEnds(name));
  name = fitLength(name);
  return name === '' ? FALLBACK_FILE_NAME : name;
}
