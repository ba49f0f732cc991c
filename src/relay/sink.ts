/**
 * One writable peer (the client's stdout or the server's stdin). Writes a line as two buffers in
 * one corked write (no copy of a large message), and honours backpressure: when the peer's buffer
 * is full, the source that fed it is paused until the peer drains, so what waits for a peer that
 * does not read is bounded by its buffer plus what one input chunk carries.
 */
import type { Readable, Writable } from 'node:stream';

const NEWLINE = Buffer.from('\n');
/** Below this, copying the line to append its newline beats a two-buffer writev. */
const COPY_BELOW_BYTES = 64 * 1024;

export class Sink {
  readonly #stream: Writable;
  readonly #paused = new Set<Readable>();
  /** Paused when a write that names no source of its own fills the peer's buffer. */
  readonly #defaultSource: Readable | undefined;
  #closed = false;

  /**
   * `defaultSource`: what to pause for writes that name no source — for the client's sink, the
   * client's own input, whose requests mcp-guard answers itself (refusals, unavailable): a client
   * that sends without reading then waits, instead of its answers piling up in mcp-guard.
   */
  constructor(stream: Writable, onFailure: (err: Error) => void, defaultSource?: Readable) {
    this.#stream = stream;
    this.#defaultSource = defaultSource;
    stream.on('drain', () => this.#resume());
    stream.on('error', (err) => {
      this.#closed = true;
      this.#resume();
      onFailure(err);
    });
    stream.on('close', () => {
      this.#closed = true;
      this.#resume();
    });
  }

  get closed(): boolean {
    return this.#closed || this.#stream.writableEnded || this.#stream.destroyed;
  }

  /** Writes raw line bytes (without newline) and the newline: one write, no copy of a large line. */
  writeBytes(bytes: Buffer, source?: Readable): void {
    if (this.closed) return;
    let ok: boolean;
    if (bytes.length < COPY_BELOW_BYTES) {
      ok = this.#stream.write(Buffer.concat([bytes, NEWLINE], bytes.length + 1));
    } else {
      this.#stream.cork();
      this.#stream.write(bytes);
      ok = this.#stream.write(NEWLINE);
      this.#stream.uncork();
    }
    if (!ok) this.#pause(source);
  }

  /** Writes a message: its original line bytes when unchanged, else its body re-serialised. */
  writeMessage(body: unknown, bytes: Buffer | null, source?: Readable): void {
    if (bytes !== null) this.writeBytes(bytes, source);
    else this.writeText(`${JSON.stringify(body)}\n`, source);
  }

  /** Writes a serialised line that already ends in a newline. */
  writeText(line: string, source?: Readable): void {
    if (this.closed) return;
    if (!this.#stream.write(line)) this.#pause(source);
  }

  /** Holds writes until uncork(): what one input chunk produces leaves in one write(v). */
  cork(): void {
    if (!this.closed) this.#stream.cork();
  }

  uncork(): void {
    if (this.#stream.writableCorked > 0) this.#stream.uncork();
  }

  end(): void {
    if (!this.closed) this.#stream.end();
  }

  #pause(named: Readable | undefined): void {
    const source = named ?? this.#defaultSource;
    if (source === undefined || this.#paused.has(source)) return;
    source.pause();
    this.#paused.add(source);
  }

  #resume(): void {
    for (const source of this.#paused) source.resume();
    this.#paused.clear();
  }
}
