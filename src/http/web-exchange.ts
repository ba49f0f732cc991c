/**
 * Node's request and response as the Web's `Request` and `Response`, which the MCP SDK's
 * Streamable HTTP transport speaks: the body is already read (bounded), and a response body,
 * SSE included, is copied to Node's response as it arrives, until either side closes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ReadableStreamReadResult } from 'node:stream/web';

/** Why: the transport reads method, URL and headers; the body it gets already parsed. */
export function toWebRequest(req: IncomingMessage, origin: string, body: Buffer | null): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
  }
  const abort = new AbortController();
  req.socket.once('close', () => abort.abort());
  return new Request(new URL(req.url ?? '/', origin), {
    method: req.method ?? 'GET',
    headers,
    signal: abort.signal,
    ...(body === null || req.method === 'GET' || req.method === 'HEAD' ? {} : { body }),
  });
}

/** Why: status, headers, then the body chunk by chunk (an SSE stream stays open until it ends). */
export async function sendWebResponse(response: Response, res: ServerResponse): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  res.writeHead(response.status, headers);
  if (response.body === null) {
    res.end();
    return;
  }
  const reader = response.body.getReader();
  res.once('close', () => void reader.cancel().catch(() => undefined));
  try {
    for (;;) {
      const chunk: ReadableStreamReadResult<Uint8Array> = await reader.read();
      if (chunk.done) break;
      res.write(chunk.value);
    }
  } catch {
    // The client went away, or the stream was cancelled: nothing more to send.
  } finally {
    res.end();
  }
}

/** A small JSON answer of the front's own (refusals, health). */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}
