import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { guardFixture, rawThrough } from '../../helpers/guarded.js';
import { CLI } from '../../helpers/paths.js';
import { testDir } from '../../helpers/temp-dir.js';
import { runNode } from './processes.js';

type Manifest = {
  audit: Record<string, unknown>;
  servers: Record<string, Record<string, unknown>>;
};

const cli = (...args: string[]) => runNode([CLI, ...args], { ...process.env, NO_COLOR: '' });

void test('an anchor inside a server root (directly or through a symlink) is refused', async (t) => {
  const dir = await testDir(t);
  const root = dir.join('root');
  mkdirSync(root);
  symlinkSync(root, dir.join('link'));
  const guarded = guardFixture(dir, 'echo', [], { entry: { paths: { roots: [root] } } });
  const manifest = JSON.parse(readFileSync(guarded.manifest, 'utf8')) as Manifest;
  for (const anchor of ['root/anchor.jsonl', 'link/sub/anchor.jsonl', 'audit.jsonl']) {
    manifest.audit.anchor = anchor;
    writeFileSync(guarded.manifest, JSON.stringify(manifest));
    for (const args of [['check'], ['run', guarded.name]]) {
      const refused = await cli(...args, '-c', guarded.manifest);
      assert.equal(refused.code, 2, `${anchor} ${args[0]}: ${refused.stderr}`);
      assert.match(
        refused.stderr,
        anchor === 'audit.jsonl'
          ? /audit\.anchor: .* is the audit log itself/
          : /audit\.anchor: .* lies inside the root .* of server 'server'/,
        refused.stderr,
      );
    }
  }
  manifest.audit.anchor = 'outside/anchor.jsonl';
  writeFileSync(guarded.manifest, JSON.stringify(manifest));
  const accepted = await cli('check', '-c', guarded.manifest);
  assert.equal(accepted.code, 0, accepted.stderr);
});

void test('run seals into the anchor; logs --verify catches a cut tail and a deleted anchor', async (t) => {
  const dir = await testDir(t);
  // The server's root is the manifest's folder by default: the anchor lives elsewhere.
  const elsewhere = await testDir(t);
  const guarded = guardFixture(dir, 'echo');
  const manifest = JSON.parse(readFileSync(guarded.manifest, 'utf8')) as Manifest;
  manifest.audit.anchor = elsewhere.join('sealed', 'anchor.jsonl');
  writeFileSync(guarded.manifest, JSON.stringify(manifest));
  const { raw, step, close } = await rawThrough(t, guarded);
  await step('initialize', raw.initialize());
  await step('tools/call', raw.request('tools/call', { name: 'echo', arguments: { text: 'hi' } }));
  await close();

  const verify = (...args: string[]) => cli('logs', '-c', guarded.manifest, '--verify', ...args);
  const intact = await verify();
  assert.equal(intact.code, 0, intact.stdout + intact.stderr);
  assert.match(intact.stdout, /every chain is intact/);
  assert.match(intact.stdout, /Checked against the anchor .*anchor\.jsonl \(1 sealed session\)/);
  assert.doesNotMatch(intact.stdout, /without guard\.stop/);

  // The last record (guard.stop) removed: the chain alone sees a session that did not close,
  // the anchor sees records it sealed gone.
  const lines = readFileSync(guarded.auditFile, 'utf8').trimEnd().split('\n');
  writeFileSync(guarded.auditFile, `${lines.slice(0, -1).join('\n')}\n`);
  const alone = await cli('logs', '--file', guarded.auditFile, '--verify');
  assert.equal(alone.code, 0, alone.stdout);
  assert.match(alone.stdout, /without guard\.stop: .*only an anchor can tell/);
  assert.match(alone.stdout, /Without an anchor they cannot show records removed from the end/);
  const cut = await verify('--json');
  assert.equal(cut.code, 1, cut.stdout);
  const report = JSON.parse(cut.stdout) as { problems: { kind: string }[] };
  assert.deepEqual(
    report.problems.map((p) => p.kind),
    ['deleted-tail'],
  );

  // The anchor itself deleted.
  writeFileSync(guarded.auditFile, `${lines.join('\n')}\n`);
  rmSync(elsewhere.join('sealed'), { recursive: true });
  const gone = await verify();
  assert.equal(gone.code, 1, gone.stdout);
  assert.match(gone.stdout, /anchor-missing/);
  assert.match(gone.stdout, /unsealed: the session names the anchor/);
});
