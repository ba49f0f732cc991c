import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { guardFixture, rawThrough, resultText } from '../../helpers/guarded.js';
import { CLI } from '../../helpers/paths.js';
import { testDir } from '../../helpers/temp-dir.js';
import { runNode } from './processes.js';

const TOKEN = 'tok-9f8e7d6c5b4a3210zz';
const ARG_KEY = 'argkey-0123456789abcdef';
const GITHUB = `ghp_${'B'.repeat(36)}`;

/** Every form of a secret that must not be in the log: plain pieces, base64, hex. */
function assertNoSecret(text: string, where: string): void {
  // Hashes and session ids are hex: a 4-digit piece of a secret may be in one by chance.
  const words = text.replace(/[0-9a-f]{16,}/g, '');
  for (const secret of [TOKEN, ARG_KEY]) {
    for (let i = 0; i + 4 <= secret.length; i++) {
      assert.ok(!words.includes(secret.slice(i, i + 4)), `${where}: a piece of ${secret} at ${i}`);
    }
  }
  for (const form of [
    Buffer.from(TOKEN).toString('hex'),
    Buffer.from(`x${TOKEN}`).toString('base64').slice(4, -4),
    Buffer.from(`xy${TOKEN}`).toString('base64url').slice(4, -4),
    GITHUB,
    GITHUB.slice(4, 20),
  ]) {
    assert.ok(!text.includes(form), `${where}: ${form}`);
  }
}

void test('run: environment values the server prints and secrets in bodies stay out of the log', async (t) => {
  const dir = await testDir(t);
  // The key reaches the server through its command line, built from mcp-guard's environment.
  const launched = guardFixture(dir, 'leak-env', ['--key', '${env:LEAK_KEY}'], {
    env: { API_TOKEN: TOKEN },
    entry: { output: { redact: ['github'] } },
  });
  launched.env.LEAK_KEY = ARG_KEY;
  const manifest = JSON.parse(readFileSync(launched.manifest, 'utf8')) as {
    audit: Record<string, unknown>;
  };
  manifest.audit.bodies = true;
  writeFileSync(launched.manifest, JSON.stringify(manifest));
  const { raw, step, close } = await rawThrough(t, launched);
  await step('initialize', raw.initialize());
  await launched.waitForAudit(
    (r) => r.event === 'child.stderr' && r.text === 'leaked',
    10_000,
    raw.stderr,
  );
  const reply = await step(
    'tools/call',
    raw.request('tools/call', { name: 'echo', arguments: { text: `${GITHUB} and ${TOKEN}` } }),
  );
  // The client gets what the server sent back, redacted as output is (the env value is the
  // client's own argument coming back; only the log keeps it out).
  assert.ok(!resultText(reply.result).includes(GITHUB), JSON.stringify(reply));
  await close();

  const file = readFileSync(launched.auditFile, 'utf8');
  assertNoSecret(file, 'the audit file');
  const records = launched.audit();
  const stderr = records.filter((r) => r.event === 'child.stderr').map((r) => r.text as string);
  assert.ok(stderr.includes('token: ${env:API_TOKEN}'), stderr.join('\n'));
  assert.ok(
    stderr.some((line) => line.startsWith('hex: [REDACTED:env]')),
    stderr.join('\n'),
  );
  assert.ok(stderr.includes('key from args: ${env:LEAK_KEY}'), stderr.join('\n'));
  const request = records.find((r) => r.event === 'rpc.request' && r.method === 'tools/call');
  assert.ok(request?.body !== undefined, 'bodies are logged');
  assert.ok(JSON.stringify(request.body).includes('[REDACTED:github]'), JSON.stringify(request));

  const env = { ...process.env, NO_COLOR: '' };
  for (const args of [[], ['--json'], ['--verify']]) {
    const shown = await runNode([CLI, 'logs', '--file', launched.auditFile, ...args], env);
    assert.equal(shown.code, 0, shown.stderr);
    assertNoSecret(shown.stdout, `logs ${args.join(' ')}`);
  }
});
