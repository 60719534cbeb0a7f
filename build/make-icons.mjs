#!/usr/bin/env node
/**
 * Draws the Certdesk icon (a white shield with a green check on a blue rounded square) into
 * raw RGBA pixels and writes what electron-builder looks for in build/:
 *
 *   icon.png   1024 x 1024 PNG (Linux, and the source of other sizes)
 *   icon.ico   PNG-in-ICO with 16 to 256 pixel images (Windows)
 *   icon.icns  ic07 to ic14 PNG entries, 32 to 1024 pixels (macOS)
 *
 * Needs nothing but Node: PNG is encoded here with zlib. The output is deterministic, so
 * running it again changes no bytes. Usage: node build/make-icons.mjs
 */
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const OUT = new URL('./', import.meta.url);
const SAMPLES = 4; // per axis, so 16 samples a pixel for smooth edges

const BLUE_TOP = [36, 87, 197];
const BLUE_BOTTOM = [23, 58, 138];
const SHIELD = [245, 247, 251];
const CHECK = [31, 157, 99];

/** Inside a square of side 1 - 2*inset with corners of the given radius. */
function inRoundedSquare(x, y, inset, radius) {
  const dx = Math.max(Math.abs(x - 0.5) - (0.5 - inset - radius), 0);
  const dy = Math.max(Math.abs(y - 0.5) - (0.5 - inset - radius), 0);
  return (
    Math.abs(x - 0.5) <= 0.5 - inset &&
    Math.abs(y - 0.5) <= 0.5 - inset &&
    dx * dx + dy * dy <= radius * radius
  );
}

/** Inside the shield: straight sides, rounded top corners, parabolic point at the bottom. */
function inShield(x, y) {
  const top = 0.2;
  const shoulder = 0.5;
  const tip = 0.85;
  const half = 0.27;
  const corner = 0.05;
  if (y < top || y > tip) return false;
  const dx = Math.abs(x - 0.5);
  if (y < top + corner && dx > half - corner) {
    const cx = dx - (half - corner);
    const cy = top + corner - y;
    return cx * cx + cy * cy <= corner * corner;
  }
  if (y <= shoulder) return dx <= half;
  const t = (y - shoulder) / (tip - shoulder);
  return dx <= half * (1 - t * t);
}

/** Distance from a point to a segment. */
function segmentDistance(px, py, ax, ay, bx, by) {
  const vx = bx - ax;
  const vy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * vx + (py - ay) * vy) / (vx * vx + vy * vy)));
  return Math.hypot(px - (ax + t * vx), py - (ay + t * vy));
}

/** On the check mark's stroke. */
function inCheck(x, y) {
  const width = 0.036;
  return (
    segmentDistance(x, y, 0.385, 0.5, 0.47, 0.59) <= width ||
    segmentDistance(x, y, 0.47, 0.59, 0.63, 0.4) <= width
  );
}

/** The colour of one sample, or null outside the icon. */
function sample(x, y) {
  if (!inRoundedSquare(x, y, 0.0625, 0.18)) return null;
  if (inShield(x, y)) return inCheck(x, y) ? CHECK : SHIELD;
  return BLUE_TOP.map((top, i) => Math.round(top + (BLUE_BOTTOM[i] - top) * y));
}

/** Renders the icon at `size` pixels square as RGBA bytes, supersampled. */
export function renderIcon(size) {
  const pixels = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py += 1) {
    for (let px = 0; px < size; px += 1) {
      let r = 0;
      let g = 0;
      let b = 0;
      let covered = 0;
      for (let sy = 0; sy < SAMPLES; sy += 1) {
        for (let sx = 0; sx < SAMPLES; sx += 1) {
          const color = sample(
            (px + (sx + 0.5) / SAMPLES) / size,
            (py + (sy + 0.5) / SAMPLES) / size,
          );
          if (!color) continue;
          r += color[0];
          g += color[1];
          b += color[2];
          covered += 1;
        }
      }
      const at = (py * size + px) * 4;
      if (covered === 0) continue;
      pixels[at] = Math.round(r / covered);
      pixels[at + 1] = Math.round(g / covered);
      pixels[at + 2] = Math.round(b / covered);
      pixels[at + 3] = Math.round((255 * covered) / (SAMPLES * SAMPLES));
    }
  }
  return pixels;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** Encodes RGBA pixels as a PNG (8-bit RGBA, no filtering, zlib level 9). */
export function encodePng(size, pixels) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8); // bit depth 8, colour type RGBA, deflate, no filter, no interlace
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y += 1) {
    pixels.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A Windows icon file whose images are PNGs (supported since Windows Vista). */
export function encodeIco(images) {
  const header = Buffer.alloc(6 + 16 * images.length);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(images.length, 4);
  let offset = header.length;
  images.forEach(({ size, png }, i) => {
    const entry = 6 + 16 * i;
    header.writeUInt8(size >= 256 ? 0 : size, entry);
    header.writeUInt8(size >= 256 ? 0 : size, entry + 1);
    header.writeUInt16LE(1, entry + 4); // colour planes
    header.writeUInt16LE(32, entry + 6); // bits per pixel
    header.writeUInt32LE(png.length, entry + 8);
    header.writeUInt32LE(offset, entry + 12);
    offset += png.length;
  });
  return Buffer.concat([header, ...images.map((image) => image.png)]);
}

/** An Apple icon file: `icns`, total length, then one typed entry per PNG. */
export function encodeIcns(entries) {
  const parts = entries.map(({ type, png }) => {
    const head = Buffer.alloc(8);
    head.write(type, 0, 'ascii');
    head.writeUInt32BE(png.length + 8, 4);
    return Buffer.concat([head, png]);
  });
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'ascii');
  head.writeUInt32BE(8 + parts.reduce((sum, part) => sum + part.length, 0), 4);
  return Buffer.concat([head, ...parts]);
}

const ICNS_TYPES = [
  ['ic11', 32],
  ['ic12', 64],
  ['ic07', 128],
  ['ic13', 256],
  ['ic08', 256],
  ['ic14', 512],
  ['ic09', 512],
  ['ic10', 1024],
];
const ICO_SIZES = [16, 24, 32, 48, 64, 128, 256];

function main() {
  const pngs = new Map();
  const png = (size) => {
    if (!pngs.has(size)) pngs.set(size, encodePng(size, renderIcon(size)));
    return pngs.get(size);
  };
  writeFileSync(new URL('icon.png', OUT), png(1024));
  writeFileSync(
    new URL('icon.ico', OUT),
    encodeIco(ICO_SIZES.map((size) => ({ size, png: png(size) }))),
  );
  writeFileSync(
    new URL('icon.icns', OUT),
    encodeIcns(ICNS_TYPES.map(([type, size]) => ({ type, png: png(size) }))),
  );
  console.log('wrote build/icon.png, build/icon.ico, build/icon.icns');
}

main();
