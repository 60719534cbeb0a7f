/**
 * Bounded capture of a command's output: the first and the last few KB, with a marker saying
 * how much was left out between them. A command's first lines usually say what it did and its
 * last lines why it failed, so both ends are kept; memory stays bounded however much it prints.
 */

/** Bytes kept from the start of the output. */
export const HEAD_BYTES = 2048;

/** Bytes kept from the end of the output. */
export const TAIL_BYTES = 2048;

/** Collects one output stream; not shared between streams. */
export class OutputTail {
  #head: Buffer[] = [];
  #headLength = 0;
  #tail: Buffer[] = [];
  #tailLength = 0;
  #total = 0;

  /** Adds a chunk as it arrives. */
  add(chunk: Buffer): void {
    this.#total += chunk.length;
    let rest = chunk;
    if (this.#headLength < HEAD_BYTES) {
      const take = rest.subarray(0, HEAD_BYTES - this.#headLength);
      this.#head.push(take);
      this.#headLength += take.length;
      rest = rest.subarray(take.length);
    }
    if (rest.length === 0) return;
    this.#tail.push(rest);
    this.#tailLength += rest.length;
    this.#trimTail();
  }

  /** Total bytes seen, kept or not. */
  get totalBytes(): number {
    return this.#total;
  }

  /** The output as UTF-8 text, with `[... N bytes left out ...]` where the middle was dropped. */
  text(): string {
    const head = Buffer.concat(this.#head).toString('utf8');
    const tail = Buffer.concat(this.#tail).toString('utf8');
    const omitted = this.#total - this.#headLength - this.#tailLength;
    if (omitted === 0) return head + tail;
    return `${head}\n[... ${omitted} bytes left out ...]\n${tail}`;
  }

  // Drops whole chunks from the front while the rest still holds TAIL_BYTES, then cuts the
  // first remaining chunk down to size.
  #trimTail(): void {
    while (this.#tail.length > 1 && this.#tailLength - (this.#tail[0]?.length ?? 0) >= TAIL_BYTES) {
      this.#tailLength -= this.#tail.shift()?.length ?? 0;
    }
    const excess = this.#tailLength - TAIL_BYTES;
    const first = this.#tail[0];
    if (excess > 0 && first) {
      this.#tail[0] = first.subarray(excess);
      this.#tailLength -= excess;
    }
  }
}
