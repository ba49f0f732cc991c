/**
 * Newline-delimited framing, the only NDJSON code. Each chunk is scanned once (linear time even
 * for an 8 MiB line arriving in 64 KiB pieces), a line over the cap is discarded as it streams
 * (only a short head is kept so its id can still be sniffed), CRLF is tolerated and blank lines
 * are ignored. Lines are split on 0x0A, which never occurs inside a multi-byte UTF-8 sequence, so
 * a character split across chunks is reassembled with its line.
 */

const LF = 0x0a;
const CR = 0x0d;
/** How much of an oversized line is kept, so that its id can still be found. */
export const OVERSIZE_HEAD_BYTES = 4096;

export type Frame =
  { kind: 'line'; bytes: Buffer } | { kind: 'oversize'; size: number; head: Buffer };

export class LineFramer {
  readonly #maxBytes: number;
  readonly #onFrame: (frame: Frame) => void;
  #parts: Buffer[] = [];
  #length = 0;
  #discarding = false;
  #head: Buffer = Buffer.alloc(0);

  constructor(maxBytes: number, onFrame: (frame: Frame) => void) {
    this.#maxBytes = maxBytes;
    this.#onFrame = onFrame;
  }

  /** Feeds one chunk; emits every line it completes, in order. */
  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const end = chunk.indexOf(LF, start);
      if (end === -1) {
        this.#append(chunk.subarray(start));
        return;
      }
      this.#append(chunk.subarray(start, end));
      this.#finishLine();
      start = end + 1;
    }
  }

  /** At end of input a final line without its newline still counts. */
  end(): void {
    if (this.#length > 0 || this.#discarding) this.#finishLine();
  }

  #append(piece: Buffer): void {
    if (piece.length === 0) return;
    this.#length += piece.length;
    if (this.#discarding) return;
    this.#parts.push(piece);
    // One byte of slack: a line of exactly maxBytes may still be followed by CR before its LF.
    if (this.#length > this.#maxBytes + 1) {
      this.#head = Buffer.concat(this.#parts).subarray(0, OVERSIZE_HEAD_BYTES);
      this.#parts = [];
      this.#discarding = true;
    }
  }

  #finishLine(): void {
    const parts = this.#parts;
    let size = this.#length;
    const discarding = this.#discarding;
    const head = this.#head;
    this.#parts = [];
    this.#length = 0;
    this.#discarding = false;
    this.#head = Buffer.alloc(0);
    if (discarding) {
      this.#onFrame({ kind: 'oversize', size, head });
      return;
    }
    let bytes = parts.length === 1 ? parts[0]! : Buffer.concat(parts, size);
    if (size > 0 && bytes[size - 1] === CR) {
      size -= 1;
      bytes = bytes.subarray(0, size);
    }
    if (size === 0) return;
    if (size > this.#maxBytes) {
      this.#onFrame({ kind: 'oversize', size, head: bytes.subarray(0, OVERSIZE_HEAD_BYTES) });
      return;
    }
    this.#onFrame({ kind: 'line', bytes });
  }
}
