import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { ANCHOR_EVERY_MS, type AnchorWriter } from '../../../src/audit/anchor.js';
import { createRecordLogger, openAuditLog } from '../../../src/audit/audit-log.js';
import { ChainedAuditLog } from '../../../src/audit/chained-audit-log.js';
import { sealPrefix, ZERO_HASH } from '../../../src/audit/chain.js';
import {
  childStderr,
  guardStart,
  guardStop,
  rpcRequest,
} from '../../../src/audit/event-constructors.js';
import { verifyAuditLog, type AuditProblemKind } from '../../../src/audit/verify.js';

let dir: string;
let file: string;
let anchor: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mcp-guard-anchor-'));
  file = join(dir, 'audit.jsonl');
  anchor = join(dir, 'sealed', 'anchor.jsonl');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** One session as `run` writes it; closed cleanly unless `crash`. */
async function session(server: string, crash = false): Promise<string> {
  const log = await openAuditLog({ file, bodies: false, anchor });
  log.record(server, guardStart({ version: '0', pid: 42, anchor }));
  log.record(server, rpcRequest({ method: 'tools/call', id: 1, tool: 'read_file' }));
  log.record(server, childStderr('hello'));
  if (crash) return log.session; // SIGKILL: no guard.stop, and the log is never closed
  log.record(server, guardStop({ reason: 'stdin-eof', exitCode: 0 }));
  log.close();
  return log.session;
}

const lines = (): string[] => readFileSync(file, 'utf8').trimEnd().split('\n');
const ofSession = (all: string[], id: string) => all.filter((l) => l.includes(`"session":"${id}"`));
const join_ = (all: string[]) => (all.length === 0 ? '' : `${all.join('\n')}\n`);

/** The session rewritten from its first record with one value changed, every hash recomputed. */
function rehash(all: string[], id: string): string[] {
  let prev = ZERO_HASH;
  return all.map((line) => {
    if (!line.includes(`"session":"${id}"`)) return line;
    const record = JSON.parse(line) as Record<string, unknown>;
    delete record.hash;
    record.prev = prev;
    if (record.event === 'rpc.request') record.tool = 'delete_everything';
    const sealed = sealPrefix(JSON.stringify(record).slice(0, -1));
    prev = sealed.hash;
    return sealed.line;
  });
}

const kinds = (text: string, withAnchor: boolean, anchorText?: string | null) =>
  verifyAuditLog(
    text,
    withAnchor
      ? {
          path: anchor,
          text: anchorText === undefined ? readFileSync(anchor, 'utf8') : anchorText,
          file,
        }
      : undefined,
  );

void test('each attack the chain alone misses is caught with the anchor', async () => {
  const a = await session('alpha');
  const b = await session('beta');
  const all = lines();
  const attacks: {
    name: string;
    log: string;
    anchor?: string | null;
    /** What verify reports with the anchor. */
    caught: AuditProblemKind[];
  }[] = [
    {
      name: 'tail deleted',
      log: join_(all.filter((l) => l !== ofSession(all, a).at(-1))),
      caught: ['deleted-tail'],
    },
    {
      name: 'session deleted',
      log: join_(all.filter((l) => !l.includes(b))),
      caught: ['deleted-session'],
    },
    { name: 'file emptied', log: '', caught: ['deleted-session', 'deleted-session'] },
    { name: 'rewrite re-hashed', log: join_(rehash(all, a)), caught: ['rewritten'] },
    {
      name: 'anchor deleted',
      log: join_(all),
      anchor: null,
      caught: ['anchor-missing', 'unsealed', 'unsealed'],
    },
  ];
  for (const attack of attacks) {
    const withAnchor = kinds(attack.log, true, attack.anchor);
    assert.deepEqual(
      withAnchor.problems.map((p) => p.kind).sort(),
      [...attack.caught].sort(),
      `${attack.name}: ${JSON.stringify(withAnchor.problems)}`,
    );
    assert.equal(withAnchor.ok, false, attack.name);
    // Without the anchor, the chain alone finds nothing wrong (docs/audit.md says so).
    const alone = kinds(attack.log, false);
    assert.deepEqual(alone.problems, [], `${attack.name} without an anchor`);
  }
  // Untouched, both verify, and both ended cleanly.
  const intact = kinds(join_(all), true);
  assert.deepEqual(intact.problems, []);
  assert.deepEqual(intact.unended, []);
  assert.deepEqual(intact.anchor, { path: anchor, missing: false, sessions: 2, damaged: 0 });
});

void test('a session that ends without guard.stop: a crash with the anchor, unknown without', async () => {
  await session('alpha');
  const crashed = await session('beta', true);
  const log = join_(lines());
  const withAnchor = kinds(log, true);
  assert.deepEqual(withAnchor.problems, []);
  assert.deepEqual(
    withAnchor.unended.map((end) => [end.session, end.seq, end.pid, end.cause]),
    [[crashed, 3, 42, 'crash']],
  );
  const alone = kinds(log, false);
  assert.deepEqual(
    alone.unended.map((end) => end.cause),
    ['unknown'],
  );
  // Records after the session's last seal are not covered (docs/audit.md): removing one is not
  // seen; removing what was sealed is.
  const all = lines();
  const afterSeal = join_(all.slice(0, -1));
  assert.deepEqual(kinds(afterSeal, true).problems, []);
  const sealed = join_(all.filter((line) => !line.includes(crashed)));
  assert.deepEqual(
    kinds(sealed, true).problems.map((p) => p.kind),
    ['deleted-session'],
  );
});

void test('the anchor holds one line per seal, the first record and the close of each session', async () => {
  const id = await session('alpha');
  const seals = readFileSync(anchor, 'utf8')
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  assert.deepEqual(
    seals.map((seal) => [seal.file, seal.session, seal.seq, seal.end]),
    [
      [file, id, 1, false],
      [file, id, 4, true],
    ],
  );
  assert.equal(seals[1]?.hash, (JSON.parse(lines().at(-1)!) as { hash: string }).hash);
});

void test('a session that keeps writing seals again once ANCHOR_EVERY_MS has passed; corked records when written', async () => {
  const { pino } = await import('pino');
  const seals: [number, boolean][] = [];
  const anchorWriter = {
    seal: (_session: string, seq: number, _hash: string, end: boolean) => seals.push([seq, end]),
    close: () => undefined,
  } as unknown as AnchorWriter;
  let now = 0;
  const written: string[] = [];
  const log = new ChainedAuditLog(
    's',
    { file: 'f', bodies: false },
    { write: (text) => written.push(text), close: () => undefined },
    { anchor: anchorWriter, now: () => now },
  );
  log.attach(createRecordLogger(pino, 's', (line) => log.accept(line)));
  const request = () => log.record('x', rpcRequest({ method: 'ping', id: 1 }));
  request(); // seq 1: sealed
  now = ANCHOR_EVERY_MS - 1;
  request(); // too soon
  now = ANCHOR_EVERY_MS;
  log.cork();
  request(); // held: not on disk, not sealed yet
  assert.deepEqual(seals, [[1, false]]);
  log.record('x', childStderr('held too'));
  log.uncork(); // both written: the head (seq 4) sealed
  now += 10;
  request();
  log.close();
  assert.deepEqual(seals, [
    [1, false],
    [4, false],
    [5, true],
  ]);
});
