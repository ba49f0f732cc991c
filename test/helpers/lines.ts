/** Reading newline-delimited JSON that a relay writes to an in-memory stream. */
import type { PassThrough } from 'node:stream';
import { waitOn } from './wait.js';

/** Every line written to `stream` from now on, parsed, appended as it arrives. */
export function collectLines<T = Record<string, unknown>>(stream: PassThrough): T[] {
  const seen: T[] = [];
  let buffer = '';
  stream.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    let i;
    while ((i = buffer.indexOf('\n')) !== -1) {
      seen.push(JSON.parse(buffer.slice(0, i)) as T);
      buffer = buffer.slice(i + 1);
    }
  });
  return seen;
}

/** The lines written to `stream`, one per call, each awaited until it has arrived. */
export function lineReader<T = Record<string, unknown>>(stream: PassThrough): () => Promise<T> {
  const items = collectLines<T>(stream);
  return async () => {
    await waitOn(
      stream,
      'data',
      () => items.length > 0,
      2000,
      () => `waiting for a line; have ${JSON.stringify(items)}`,
    );
    return items.shift()!;
  };
}
