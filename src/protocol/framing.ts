/**
 * Newline-delimited framing, the only NDJSON code. Each chunk is scanned once (linear time even
 * for an 8 MiB line arriving in 64 KiB pieces), a line over the cap is discarded as it streams
 * (only a short head is kept so its id can still be sniffed), CRLF is tolerated and blank lines
 * are ignored. Lines are split on 0x0A, which never occurs inside a multi-byte UTF-8 sequence, so
 * a character split across chunks is reassembled with its line.
 */

const LF = 0x0a;
const CR = 0x0d;
/**
 * How much of each end of an oversized line is kept, so that its id can still be found: some
 * writers put `id` first, the MCP SDK puts it last.
 */
export const OVERSIZE_HEAD_BYTES = 4096;
/** Never written to: shared by every framer, so finishing a line allocates no empty buffers. */
const EMPTY = Buffer.alloc(0);

export type Frame =
  { kind: 'line'; bytes: Buffer } | { kind: 'oversize'; size: number; head: Buffer; tail: Buffer };

export class LineFramer {
  readonly #maxBytes: number;
  readonly #onFrame: (frame: Frame) => void;
  #parts: Buffer[] = [];
  #length = 0;
  #discarding = false;
  #head: Buffer = EMPTY;
  #tail: Buffer = EMPTY;

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
    if (this.#discarding) {
      if (this.#head.length < OVERSIZE_HEAD_BYTES) this.#head = firstBytes([this.#head, piece]);
      this.#tail = lastBytes([this.#tail, piece], OVERSIZE_HEAD_BYTES + 1);
      return;
    }
    this.#parts.push(piece);
    // One byte of slack: a line of exactly maxBytes may still be followed by CR before its LF.
    if (this.#length > this.#maxBytes + 1) {
      this.#head = firstBytes(this.#parts);
      this.#tail = lastBytes(this.#parts, OVERSIZE_HEAD_BYTES + 1);
      this.#parts = [];
      this.#discarding = true;
    }
  }

  #finishLine(): void {
    const parts = this.#parts;
    let size = this.#length;
    const discarding = this.#discarding;
    const head = this.#head;
    const tail = this.#tail;
    this.#parts = [];
    this.#length = 0;
    this.#discarding = false;
    this.#head = EMPTY;
    this.#tail = EMPTY;
    if (discarding) {
      // The tail kept one byte more, for a CR before the LF.
      this.#onFrame({ kind: 'oversize', size, head, tail: lastBytes([stripCr(tail)]) });
      return;
    }
    let bytes = parts.length === 1 ? parts[0]! : Buffer.concat(parts, size);
    if (size > 0 && bytes[size - 1] === CR) {
      size -= 1;
      bytes = bytes.subarray(0, size);
    }
    if (size === 0) return;
    if (size > this.#maxBytes) {
      this.#onFrame({
        kind: 'oversize',
        size,
        head: bytes.subarray(0, OVERSIZE_HEAD_BYTES),
        tail: bytes.subarray(Math.max(0, size - OVERSIZE_HEAD_BYTES)),
      });
      return;
    }
    this.#onFrame({ kind: 'line', bytes });
  }
}

/** The first OVERSIZE_HEAD_BYTES of the pieces, copied (a large chunk is not kept alive). */
function firstBytes(parts: readonly Buffer[]): Buffer {
  const out: Buffer[] = [];
  let need = OVERSIZE_HEAD_BYTES;
  for (const part of parts) {
    if (need <= 0) break;
    const take = part.subarray(0, need);
    out.push(take);
    need -= take.length;
  }
  return Buffer.from(Buffer.concat(out));
}

/** The last `size` bytes of the pieces, copied (a large chunk is not kept alive). */
function lastBytes(parts: readonly Buffer[], size = OVERSIZE_HEAD_BYTES): Buffer {
  const out: Buffer[] = [];
  let need = size;
  for (let i = parts.length - 1; i >= 0 && need > 0; i -= 1) {
    const part = parts[i]!;
    const take = part.subarray(Math.max(0, part.length - need));
    out.unshift(take);
    need -= take.length;
  }
  return Buffer.from(Buffer.concat(out));
}

function stripCr(tail: Buffer): Buffer {
  return tail.length > 0 && tail[tail.length - 1] === CR ? tail.subarray(0, -1) : tail;
}
