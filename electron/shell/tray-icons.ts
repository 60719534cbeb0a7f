/**
 * The three tray icons, drawn here in code so they ship inside the main bundle (build/ is not
 * packed into the app). Each is a filled disc in the state's colour with a white mark whose
 * shape also tells the state apart, so the icon reads without relying on colour alone:
 * a check (all certificates are fine), an exclamation mark (attention needed) and a cross
 * (failing). Rendered at 16 px and 32 px (for 2x displays) and encoded as PNG with node:zlib.
 */
import { crc32, deflateSync } from 'node:zlib';
import type { NativeImage, nativeImage as NativeImageModule } from 'electron';
import type { TrayState } from '../core/notify/alerts.ts';

/** The disc colour of each tray state, as RGB. */
export const TRAY_COLORS: Readonly<Record<TrayState, readonly [number, number, number]>> = {
  ok: [31, 157, 99],
  attention: [217, 142, 4],
  failing: [201, 48, 44],
};

const WHITE = [255, 255, 255] as const;
const SAMPLES = 4; // per axis: 16 samples a pixel give smooth edges at 16 px

/** Distance from (px, py) to the segment from (ax, ay) to (bx, by). */
function segmentDistance(px: number, py: number, ax: number, ay: number, bx: number, by: number) {
  const vx = bx - ax;
  const vy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * vx + (py - ay) * vy) / (vx * vx + vy * vy)));
  return Math.hypot(px - (ax + t * vx), py - (ay + t * vy));
}

/** Whether a point of the unit square lies on the white mark of `state`. */
function onMark(state: TrayState, x: number, y: number): boolean {
  const stroke = 0.09;
  switch (state) {
    case 'ok':
      return (
        segmentDistance(x, y, 0.29, 0.52, 0.44, 0.67) <= stroke ||
        segmentDistance(x, y, 0.44, 0.67, 0.72, 0.36) <= stroke
      );
    case 'attention':
      return (
        segmentDistance(x, y, 0.5, 0.24, 0.5, 0.56) <= stroke ||
        Math.hypot(x - 0.5, y - 0.75) <= 0.09
      );
    case 'failing':
      return (
        segmentDistance(x, y, 0.33, 0.33, 0.67, 0.67) <= stroke ||
        segmentDistance(x, y, 0.67, 0.33, 0.33, 0.67) <= stroke
      );
  }
}

/** The colour of one sample point, or null outside the disc. */
function sample(state: TrayState, x: number, y: number): readonly number[] | null {
  if (Math.hypot(x - 0.5, y - 0.5) > 0.47) return null;
  return onMark(state, x, y) ? WHITE : TRAY_COLORS[state];
}

/** Renders the icon of `state` at `size` pixels square as straight (not premultiplied) RGBA. */
export function renderTrayIcon(state: TrayState, size: number): Buffer {
  const pixels = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py += 1) {
    for (let px = 0; px < size; px += 1) {
      const sum = [0, 0, 0];
      let covered = 0;
      for (let sy = 0; sy < SAMPLES; sy += 1) {
        for (let sx = 0; sx < SAMPLES; sx += 1) {
          const x = (px + (sx + 0.5) / SAMPLES) / size;
          const color = sample(state, x, (py + (sy + 0.5) / SAMPLES) / size);
          if (!color) continue;
          for (let c = 0; c < 3; c += 1) sum[c] = (sum[c] ?? 0) + (color[c] ?? 0);
          covered += 1;
        }
      }
      if (covered === 0) continue;
      const at = (py * size + px) * 4;
      for (let c = 0; c < 3; c += 1) pixels[at + c] = Math.round((sum[c] ?? 0) / covered);
      pixels[at + 3] = Math.round((255 * covered) / (SAMPLES * SAMPLES));
    }
  }
  return pixels;
}

/** One PNG chunk: length, type, data and the CRC over type and data. */
function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** Encodes square RGBA pixels as an 8-bit RGBA PNG (filter 0 on every row). */
export function encodePng(size: number, rgba: Buffer): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8); // bit depth 8, RGBA, deflate, no filter, no interlace
  const stride = size * 4;
  const rows = Buffer.alloc(size * (stride + 1));
  for (let y = 0; y < size; y += 1)
    rgba.copy(rows, y * (stride + 1) + 1, y * stride, (y + 1) * stride);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(rows)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** The tray icon's size in points; the 2x representation has twice the pixels. */
export const TRAY_ICON_SIZE = 16;

/** The PNG of `state` at `scale` (1 or 2) times {@link TRAY_ICON_SIZE}. */
export function trayIconPng(state: TrayState, scale: 1 | 2): Buffer {
  const size = TRAY_ICON_SIZE * scale;
  return encodePng(size, renderTrayIcon(state, size));
}

/** The part of Electron's nativeImage module the icons need. */
export type NativeImageFactory = Pick<typeof NativeImageModule, 'createFromBuffer'>;

/**
 * Makes the tray image of `state` with 1x and 2x representations, so it stays sharp on
 * high-density displays. Images are made once per state and reused by the caller.
 */
export function createTrayImage(factory: NativeImageFactory, state: TrayState): NativeImage {
  const image = factory.createFromBuffer(trayIconPng(state, 1), { scaleFactor: 1 });
  image.addRepresentation({ scaleFactor: 2, buffer: trayIconPng(state, 2) });
  return image;
}
