/**
 * Splitting audit file contents into lines, whole (verify, display) or as they arrive (follow).
 * Lines are kept as bytes: the chain hashes exact bytes, so nothing is decoded and re-encoded.
 */

/** Why: a whole file's lines, plus whether the last one was cut off (no final newline). */
export interface SplitLines {
  lines: Buffer[];
  /** The last line had no newline after it (cut off, or still being written). */
  incompleteLast: boolean;
}

/** Why: verify and display take a file's bytes, its text, or lines already split. */
export type AuditInput = string | Uint8Array | readonly string[];

/** Why: one splitting rule for every reader: `\n` ends a line, a `\r` before it is dropped. */
export function splitLines(input: AuditInput): SplitLines {
  if (typeof input !== 'string' && !(input instanceof Uint8Array)) {
    const all = input.at(-1) === '' ? input.slice(0, -1) : input;
    return { lines: all.map((line) => Buffer.from(stripCr(line), 'utf8')), incompleteLast: false };
  }
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : toBuffer(input);
  const lines: Buffer[] = [];
  let start = 0;
  for (let end = bytes.indexOf(0x0a); end !== -1; end = bytes.indexOf(0x0a, start)) {
    lines.push(trimCr(bytes.subarray(start, end)));
    start = end + 1;
  }
  const incompleteLast = start < bytes.length;
  if (incompleteLast) lines.push(trimCr(bytes.subarray(start)));
  return { lines, incompleteLast };
}

/** Why: `logs -f` receives a file in arbitrary chunks and must only show complete lines. */
export class LineBuffer {
  #partial: Buffer = Buffer.alloc(0);

  /** Returns the lines completed by this chunk. */
  push(chunk: Buffer): Buffer[] {
    const bytes = this.#partial.length === 0 ? chunk : Buffer.concat([this.#partial, chunk]);
    const lines: Buffer[] = [];
    let start = 0;
    for (let end = bytes.indexOf(0x0a); end !== -1; end = bytes.indexOf(0x0a, start)) {
      lines.push(trimCr(bytes.subarray(start, end)));
      start = end + 1;
    }
    this.#partial = Buffer.from(bytes.subarray(start));
    return lines;
  }

  /** Forgets a partial line (the file was truncated or replaced). */
  reset(): void {
    this.#partial = Buffer.alloc(0);
  }
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
}

function trimCr(line: Buffer): Buffer {
  return line.length > 0 && line[line.length - 1] === 0x0d ? line.subarray(0, -1) : line;
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
