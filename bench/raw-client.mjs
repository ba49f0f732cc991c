// The instruments beside the benchmark (callgrind.mjs, warmup.mjs, invocations.mjs) talk to one
// relay as a bare JSON-RPC client over its stdio: no SDK, so the client costs next to nothing.

/** @typedef {{ id?: number, result?: { content?: { text?: string }[] } }} Reply */

/**
 * Requests over `relay`'s stdin, answered from its stdout (newline-delimited JSON).
 * @param {{ stdin: import('node:stream').Writable, stdout: import('node:stream').Readable }} relay
 */
export function rawClient(relay) {
  /** @type {Map<number, (message: Reply) => void>} */
  const waiting = new Map();
  let nextId = 1;
  let buffered = '';
  relay.stdout.setEncoding('utf8');
  relay.stdout.on('data', (/** @type {string} */ chunk) => {
    buffered += chunk;
    let end;
    while ((end = buffered.indexOf('\n')) !== -1) {
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + 1);
      /** @type {Reply} */
      // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- the relay's own JSON-RPC
      const message = JSON.parse(line);
      const done = message.id === undefined ? undefined : waiting.get(message.id);
      if (done === undefined) continue;
      waiting.delete(message.id);
      done(message);
    }
  });
  /** @type {(method: string, params: object) => Promise<Reply>} */
  const request = (method, params) =>
    new Promise((resolveReply) => {
      const id = nextId++;
      waiting.set(id, resolveReply);
      relay.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
    });
  return {
    request,
    /** The handshake and a tools/list, as a client starts a session. */
    start: async (/** @type {string} */ name) => {
      await request('initialize', {
        protocolVersion: '2025-06-18',
        capabilities: {},
        clientInfo: { name, version: '1' },
      });
      relay.stdin.write('{"jsonrpc":"2.0","method":"notifications/initialized"}\n');
      await request('tools/list', {});
    },
    /** One `echo "hello"` call, checked. */
    echo: async () => {
      const reply = await request('tools/call', { name: 'echo', arguments: { message: 'hello' } });
      if (reply.result?.content?.[0]?.text !== 'Echo: hello')
        throw new Error(JSON.stringify(reply));
    },
  };
}
