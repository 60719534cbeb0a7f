import { readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

// The icons electron-builder packs, as build/make-icons.mjs wrote them; parsed here with
// nothing but the file format specifications, so a broken encoder cannot pass.
const read = (name: string) => readFileSync(new URL(`../../../build/${name}`, import.meta.url));

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = (CRC_TABLE[(c ^ byte) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Decodes an 8-bit RGBA, filter-0 PNG (what make-icons writes), checking every CRC. */
function decodePng(png: Buffer): { size: number; pixel: (x: number, y: number) => number[] } {
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  let offset = 8;
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('ascii', offset + 4, offset + 8);
    const data = png.subarray(offset + 8, offset + 8 + length);
    expect(png.readUInt32BE(offset + 8 + length), `${type} CRC`).toBe(
      crc32(png.subarray(offset + 4, offset + 8 + length)),
    );
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      expect([...data.subarray(8, 13)]).toEqual([8, 6, 0, 0, 0]);
    }
    if (type === 'IDAT') idat.push(data);
    offset += 12 + length;
  }
  expect(width).toBe(height);
  const rows = inflateSync(Buffer.concat(idat));
  expect(rows.length).toBe(height * (width * 4 + 1));
  const pixel = (x: number, y: number) => {
    const at = y * (width * 4 + 1) + 1 + x * 4;
    return [...rows.subarray(at, at + 4)];
  };
  return { size: width, pixel };
}

describe('application icons', () => {
  it('icon.png is a 1024 x 1024 RGBA PNG: transparent corners, white shield, blue ground', () => {
    const { size, pixel } = decodePng(read('icon.png'));
    expect(size).toBe(1024);
    expect(pixel(0, 0)[3]).toBe(0);
    expect(pixel(1023, 1023)[3]).toBe(0);
    expect(pixel(512, 300)).toEqual([245, 247, 251, 255]);
    const [r, g, b, a] = pixel(100, 512);
    expect(a).toBe(255);
    expect(b).toBeGreaterThan((r ?? 0) + 80);
    expect(b).toBeGreaterThan((g ?? 0) + 50);
  });

  it('icon.ico holds PNG images from 16 to 256 pixels, each the size its entry states', () => {
    const ico = read('icon.ico');
    expect(ico.readUInt16LE(0)).toBe(0);
    expect(ico.readUInt16LE(2)).toBe(1);
    const count = ico.readUInt16LE(4);
    const sizes: number[] = [];
    for (let i = 0; i < count; i += 1) {
      const entry = 6 + 16 * i;
      const stated = ico.readUInt8(entry) || 256;
      const length = ico.readUInt32LE(entry + 8);
      const offset = ico.readUInt32LE(entry + 12);
      expect(offset + length).toBeLessThanOrEqual(ico.length);
      expect(decodePng(ico.subarray(offset, offset + length)).size).toBe(stated);
      sizes.push(stated);
    }
    expect(sizes).toEqual([16, 24, 32, 48, 64, 128, 256]);
  });

  it('icon.icns holds ic07 to ic10 (128 to 1024 pixels) and its lengths add up', () => {
    const icns = read('icon.icns');
    expect(icns.toString('ascii', 0, 4)).toBe('icns');
    expect(icns.readUInt32BE(4)).toBe(icns.length);
    const entries = new Map<string, number>();
    for (let offset = 8; offset < icns.length;) {
      const type = icns.toString('ascii', offset, offset + 4);
      const length = icns.readUInt32BE(offset + 4);
      entries.set(type, decodePng(icns.subarray(offset + 8, offset + length)).size);
      offset += length;
    }
    expect(entries.get('ic07')).toBe(128);
    expect(entries.get('ic08')).toBe(256);
    expect(entries.get('ic09')).toBe(512);
    expect(entries.get('ic10')).toBe(1024);
  });
});
