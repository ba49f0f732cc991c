/**
 * Clients for the protocol-era matrix, one shape for both SDKs: the v1 SDK's Client with the
 * `initialize` it sends forced to a session-era version, or the v2 SDK's Client
 * (`@modelcontextprotocol/client`) in the legacy era (2025-11-25) or pinned to 2026-07-28. Each
 * answers sampling, elicitation and roots, and keeps the notifications it got (progress, log
 * messages, resource updates) in arrival order (progress as notifications, not the SDK's
 * per-request callbacks, which run a tick late and miss what arrives in the response's chunk); stderr is kept for every failure message.
 */
import { Client as ClientV2 } from '@modelcontextprotocol/client';
import { StdioClientTransport as TransportV2 } from '@modelcontextprotocol/client/stdio';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport as TransportV1 } from '@modelcontextprotocol/sdk/client/stdio.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ListRootsRequestSchema,
  LoggingMessageNotificationSchema,
  ProgressNotificationSchema,
  ResourceUpdatedNotificationSchema,
  type JSONRPCMessage,
} from '@modelcontextprotocol/sdk/types.js';
import type { CommandLine } from './fixtures.js';
import { waitForExit } from './processes.js';
import { waitFor } from './wait.js';

export type EraClient =
  { sdk: 'v1'; version: string } | { sdk: 'v2'; version: '2025-11-25' | '2026-07-28' };

/** The calls the matrix makes, in the v2 SDK's signatures (the v1 client is adapted). */
export interface MatrixClient {
  listTools(): Promise<unknown>;
  listResources(): Promise<unknown>;
  listResourceTemplates(): Promise<unknown>;
  listPrompts(): Promise<unknown>;
  readResource(params: { uri: string }): Promise<unknown>;
  getPrompt(params: { name: string; arguments?: Record<string, string> }): Promise<unknown>;
  complete(params: unknown): Promise<unknown>;
  setLoggingLevel(level: 'info'): Promise<unknown>;
  subscribeResource(params: { uri: string }): Promise<unknown>;
  callTool(
    params: { name: string; arguments?: Record<string, unknown>; _meta?: Record<string, unknown> },
    options?: { onprogress?: (progress: unknown) => void; signal?: AbortSignal },
  ): Promise<unknown>;
  /** 2026-07-28 only: opens a subscriptions/listen stream. */
  listen?(filter: Record<string, unknown>): Promise<{ close(): Promise<void> }>;
  getNegotiatedProtocolVersion(): string | undefined;
}

export interface EraPeer {
  client: MatrixClient;
  pid: number;
  readonly stderr: () => string;
  /** Notifications received, in order: `method uri-or-text`. */
  notes: string[];
  errors: Error[];
  close(): Promise<void>;
}

const SAMPLED = { role: 'assistant', content: { type: 'text', text: 'hi' }, model: 'test-model' };
const ROOTS = { roots: [{ uri: 'file:///client/root', name: 'client root' }] };
const elicited = (params: { mode?: string | undefined }) =>
  params.mode === 'url' ? { action: 'accept' } : { action: 'accept', content: { name: 'Ada' } };
const CAPABILITIES = { sampling: {}, elicitation: { form: {}, url: {} }, roots: {} };

export async function connectEra(
  which: EraClient,
  line: CommandLine & { env?: Record<string, string> },
): Promise<EraPeer> {
  let stderr = '';
  const notes: string[] = [];
  const errors: Error[] = [];
  const onStderr = (chunk: Buffer) => void (stderr += chunk.toString('utf8'));
  const note = (method: string, detail: unknown) => void notes.push(`${method} ${String(detail)}`);
  let client: MatrixClient;
  let pid: number | null;
  let close: () => Promise<void>;
  if (which.sdk === 'v1') {
    const transport = new TransportV1({ ...line, stderr: 'pipe' });
    transport.stderr?.on('data', onStderr);
    const send = transport.send.bind(transport);
    transport.send = (message: JSONRPCMessage) =>
      send(
        'method' in message && message.method === 'initialize'
          ? {
              ...message,
              params: { ...message.params, protocolVersion: which.version },
            }
          : message,
      );
    const v1 = new ClientV1(
      { name: 'era-matrix', version: '0.0.0' },
      { capabilities: CAPABILITIES },
    );
    v1.onerror = (error) => errors.push(error);
    v1.setRequestHandler(CreateMessageRequestSchema, () => SAMPLED as never);
    v1.setRequestHandler(ElicitRequestSchema, (r) => elicited(r.params) as never);
    v1.setRequestHandler(ListRootsRequestSchema, () => ROOTS);
    v1.setNotificationHandler(LoggingMessageNotificationSchema, (n) =>
      note(n.method, JSON.stringify(n.params.data)),
    );
    v1.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) =>
      note(n.method, n.params.uri),
    );
    // Kept in arrival order with the rest: the SDK's own progress callbacks run a tick after a
    // notification arrives, and a response in the same chunk removes them first.
    v1.setNotificationHandler(ProgressNotificationSchema, (n) => note(n.method, n.params.progress));
    await waitFor(v1.connect(transport), 20_000, () => `v1 connect; stderr:\n${stderr}`);
    pid = transport.pid;
    client = {
      listTools: () => v1.listTools(),
      listResources: () => v1.listResources(),
      listResourceTemplates: () => v1.listResourceTemplates(),
      listPrompts: () => v1.listPrompts(),
      readResource: (p) => v1.readResource(p),
      getPrompt: (p) => v1.getPrompt(p),
      complete: (p) => v1.complete(p as never),
      setLoggingLevel: (level) => v1.setLoggingLevel(level),
      subscribeResource: (p) => v1.subscribeResource(p),
      callTool: (p, options) => v1.callTool(p, undefined, options),
      getNegotiatedProtocolVersion: () =>
        (transport as unknown as { _protocolVersion?: string })._protocolVersion ?? which.version,
    };
    close = () => v1.close();
  } else {
    const transport = new TransportV2({ ...line, stderr: 'pipe' });
    transport.stderr?.on('data', onStderr);
    const v2 = new ClientV2(
      { name: 'era-matrix', version: '0.0.0' },
      {
        capabilities: CAPABILITIES,
        ...(which.version === '2026-07-28'
          ? { versionNegotiation: { mode: { pin: '2026-07-28' } } }
          : {}),
      },
    );
    v2.onerror = (error) => errors.push(error);
    v2.setRequestHandler('sampling/createMessage', () => SAMPLED as never);
    v2.setRequestHandler('elicitation/create', (r) => elicited(r.params) as never);
    v2.setRequestHandler('roots/list', () => ROOTS);
    v2.setNotificationHandler('notifications/message', (n) =>
      note(n.method, JSON.stringify(n.params.data)),
    );
    v2.setNotificationHandler('notifications/resources/updated', (n) =>
      note(n.method, n.params.uri),
    );
    v2.setNotificationHandler('notifications/progress', (n) => note(n.method, n.params.progress));
    await waitFor(v2.connect(transport), 20_000, () => `v2 connect; stderr:\n${stderr}`);
    pid = transport.pid;
    client = {
      listTools: () => v2.listTools(),
      listResources: () => v2.listResources(),
      listResourceTemplates: () => v2.listResourceTemplates(),
      listPrompts: () => v2.listPrompts(),
      readResource: (p) => v2.readResource(p),
      getPrompt: (p) => v2.getPrompt(p),
      complete: (p) => v2.complete(p as never),
      setLoggingLevel: (level) => v2.setLoggingLevel(level),
      subscribeResource: (p) => v2.subscribeResource(p),
      callTool: (p, options) => v2.callTool(p, options),
      listen: (filter) => v2.listen(filter),
      getNegotiatedProtocolVersion: () => v2.getNegotiatedProtocolVersion?.(),
    };
    close = () => v2.close();
  }
  if (pid === null) throw new Error(`no pid after connecting; stderr:\n${stderr}`);
  const child = pid;
  return {
    client,
    pid: child,
    stderr: () => stderr,
    notes,
    errors,
    async close() {
      await close();
      await waitForExit(child, 5000, () => `still running after close; stderr:\n${stderr}`);
    },
  };
}
