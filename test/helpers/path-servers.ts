/**
 * The path policy's end-to-end setup, shared by the tests that attack it: a workspace (a root
 * with a file, a folder outside it holding a secret) and a server behind mcp-guard driven by the
 * SDK's client, with `call` returning a tool result's text and whether it is an error.
 */
import { mkdir, realpath, writeFile } from 'node:fs/promises';
import type { TestContext } from 'node:test';
import type { CommandLine } from './fixtures.js';
import { guardCommand, resultText, sdkThrough } from './guarded.js';
import { testDir, type TempDir } from './processes.js';
import type { JsonObject } from './raw-client.js';

/** What the file outside the root holds: a reply quoting it means the policy failed. */
export const SECRET = 'top secret outside the root';
/** The text of a tools/call refused by the path policy. */
export const BLOCKED = /^Blocked by mcp-guard: paths: /;

/** A temp dir (by its real path) with `root/hello.txt` and `outside/secret.txt`. */
export async function pathWorkspace(t: TestContext) {
  const dir = await testDir(t);
  const base = await realpath(dir.path);
  const at = (...parts: string[]) => [base, ...parts].join('/');
  await mkdir(at('root'));
  await mkdir(at('outside'));
  await writeFile(at('root', 'hello.txt'), 'hello from the root\n');
  await writeFile(at('outside', 'secret.txt'), SECRET);
  return { dir, base, at };
}

/**
 * `server` named `name` behind mcp-guard with the manifest entry `entry`, connected by the SDK.
 * With `awaitRoots`, waits until server-filesystem has taken the roots mcp-guard answered (it asks
 * after `initialized`, and serves only them from then on).
 */
export async function connectPathServer(
  t: TestContext,
  dir: TempDir,
  server: CommandLine,
  options: { name: string; entry: JsonObject; awaitRoots: boolean },
) {
  const guarded = guardCommand(dir, server, { name: options.name, entry: options.entry });
  const session = await sdkThrough(t, guarded);
  if (options.awaitRoots)
    await session.sdk.waitForStderr('Updated allowed directories from MCP roots', 20_000);
  const call = async (name: string, args: Record<string, unknown>) => {
    const result = await session.step(name, session.sdk.client.callTool({ name, arguments: args }));
    return { text: resultText(result), isError: result.isError === true };
  };
  return { ...session, guarded, call };
}
