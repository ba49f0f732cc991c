// Packs the project, installs the tarball into an empty temp project (as `npx -y mcp-guard` would),
// runs its `mcp-guard --version`, then one real relay round trip through its `mcp-guard run -- …`
// in front of a fixture server. Catches anything missing from package.json `files`.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'mcp-guard-pack-'));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const fail = (message) => {
  console.error(`pack-smoke: FAILED: ${message}`);
  process.exit(1);
};

execFileSync(npm, ['pack', '--silent', '--pack-destination', work], {
  cwd: root,
  stdio: ['ignore', 'ignore', 'inherit'],
});
const tarball = readdirSync(work).find((name) => name.endsWith('.tgz'));
if (tarball === undefined) fail('npm pack produced no tarball');
writeFileSync(join(work, 'package.json'), JSON.stringify({ name: 'pack-smoke', private: true }));
execFileSync(npm, ['install', '--silent', '--no-audit', '--no-fund', join(work, tarball)], {
  cwd: work,
  stdio: 'inherit',
});
const bin = join(
  work,
  'node_modules',
  '.bin',
  process.platform === 'win32' ? 'mcp-guard.cmd' : 'mcp-guard',
);
const version = execFileSync(bin, ['--version'], {
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'pipe'],
}).trim();
const expected = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
if (version !== expected) fail(`--version printed '${version}', expected '${expected}'`);
console.log(`pack-smoke: installed mcp-guard --version → ${version}`);

const child = spawn(bin, ['run', '--', process.execPath, join(root, 'test/fixtures/echo.mjs')], {
  cwd: work,
  env: { ...process.env, XDG_STATE_HOME: join(work, 'state') },
  stdio: ['pipe', 'pipe', 'pipe'],
});
let stderr = '';
child.stderr.on('data', (d) => (stderr += d));
const timer = setTimeout(() => {
  child.kill('SIGKILL');
  fail(`no reply within 10 s; stderr:\n${stderr}`);
}, 10_000);
let buffer = '';
const replies = [];
child.stdout.on('data', (chunk) => {
  buffer += chunk;
  let i;
  while ((i = buffer.indexOf('\n')) !== -1) {
    replies.push(JSON.parse(buffer.slice(0, i)));
    buffer = buffer.slice(i + 1);
  }
  if (replies.length === 2) child.stdin.end();
});
child.stdin.write(
  `${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'pack-smoke', version: '1' } } })}\n`,
);
child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
child.stdin.write(
  `${JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'echo', arguments: { text: 'round trip' } } })}\n`,
);
child.on('exit', (code) => {
  clearTimeout(timer);
  const echo = replies.find((r) => r.id === 2);
  if (code !== 0) fail(`mcp-guard exited with ${code}; stderr:\n${stderr}`);
  if (replies[0]?.result?.protocolVersion === undefined)
    fail(`no initialize result: ${JSON.stringify(replies)}`);
  if (!JSON.stringify(echo?.result ?? {}).includes('round trip'))
    fail(`echo reply wrong: ${JSON.stringify(echo)}`);
  console.log('pack-smoke: relay round trip through the installed tarball: ok');
});
