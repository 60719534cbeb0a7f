import { describe, expect, it } from 'vitest';
import { HEAD_BYTES, OutputTail, TAIL_BYTES } from '../../../electron/core/sites/output-tail.ts';

/** Feeds `text` in chunks of `size` bytes. */
function capture(text: string, size: number): OutputTail {
  const tail = new OutputTail();
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += size) tail.add(bytes.subarray(i, i + size));
  return tail;
}

/** Numbered lines, so a wrong cut shows up as a wrong number. */
function lines(count: number): string {
  return Array.from({ length: count }, (_, i) => `line ${String(i).padStart(5, '0')}\n`).join('');
}

describe('OutputTail', () => {
  it('keeps short output whole', () => {
    expect(capture('reloaded\n', 3).text()).toBe('reloaded\n');
  });

  it('keeps output of exactly head plus tail bytes whole', () => {
    const text = 'x'.repeat(HEAD_BYTES + TAIL_BYTES);
    expect(capture(text, 1000).text()).toBe(text);
  });

  it.each([1, 7, 100, 4096, 1 << 20])(
    'keeps the first and last bytes of long output and counts the rest (chunks of %i)',
    (size) => {
      const text = lines(5000);
      const bytes = Buffer.from(text);
      const tail = capture(text, size);
      const omitted = bytes.length - HEAD_BYTES - TAIL_BYTES;
      expect(tail.totalBytes).toBe(bytes.length);
      expect(tail.text()).toBe(
        `${bytes.subarray(0, HEAD_BYTES).toString()}\n[... ${omitted} bytes left out ...]\n` +
          bytes.subarray(bytes.length - TAIL_BYTES).toString(),
      );
    },
  );

  it('ends with the last line printed', () => {
    expect(capture(lines(10000), 512).text().endsWith('line 09999\n')).toBe(true);
  });
});
