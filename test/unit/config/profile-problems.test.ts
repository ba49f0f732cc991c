import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { type Expected, problemsOf, workspace } from '../../helpers/config-problems.js';

const DURATION =
  'expected a duration greater than 0 (250ms, 5s, 10m, 1h or whole milliseconds), got';
const M = 'mcp-guard.yaml';

const cases: [string, Record<string, string>, Expected[]][] = [
  [
    "problems in a profile file are reported in that file, with the manifest's",
    {
      [M]: 'version: 1\nprofile: team\nservers:\n  a: { command: node, colour: red }\n',
      'profiles/team.yaml':
        'extends: default\nrestart:\n  window: soon\n  polcy: never\nenv: { KEY: "${env:MCP_GUARD_TEST_UNSET}" }\n',
    },
    [
      [
        M,
        4,
        23,
        'servers.a.colour',
        "unknown key 'colour' (expected one of: command, args, cwd, env, inheritEnv, paths, tools, resources, prompts, sampling, elicitation, observe, sandbox, restart, health, limits, output)",
      ],
      ['profiles/team.yaml', 3, 11, 'restart.window', `${DURATION} 'soon'`],
      ['profiles/team.yaml', 4, 3, 'restart.polcy', "unknown key 'polcy' (did you mean 'policy'?)"],
      [
        'profiles/team.yaml',
        5,
        13,
        'env.KEY',
        'environment variable MCP_GUARD_TEST_UNSET is not set (used as ${env:MCP_GUARD_TEST_UNSET})',
      ],
    ],
  ],
  [
    'variables in a profile are checked in the profile',
    {
      [M]: 'version: 1\nprofile: ./team.yaml\nservers:\n  a: { command: node }\n',
      'team.yaml': 'description: uses a secret\nenv: { KEY: "${env:MCP_GUARD_TEST_UNSET}" }\n',
    },
    [
      [
        'team.yaml',
        2,
        13,
        'env.KEY',
        'environment variable MCP_GUARD_TEST_UNSET is not set (used as ${env:MCP_GUARD_TEST_UNSET})',
      ],
    ],
  ],
  [
    'extends naming an unknown profile, at the extends value',
    {
      [M]: 'version: 1\nprofile: team\nservers: {}\n',
      'profiles/team.yaml': '# team settings\nextends: nonesuch\n',
    },
    [['profiles/team.yaml', 2, 10, 'extends', 'unknown profile']],
  ],
  [
    'a profile path that does not exist',
    { [M]: 'version: 1\nprofile: ./missing.yaml\nservers: {}\n' },
    [[M, 2, 10, 'profile', 'profile file']],
  ],
];

for (const [name, files, expected] of cases) {
  void test(name, (t) => {
    const { dir, ctx } = workspace(t, files);
    const actual = problemsOf(dir, ctx);
    // Profile lookups name absolute paths; compare those messages by their start.
    const comparable = actual.map((p, i): Expected => {
      const want = expected[i]?.[4];
      return want !== undefined &&
        p[4].startsWith(want) &&
        /^(unknown profile|profile file)/.test(want)
        ? ([...p.slice(0, 4), want] as Expected)
        : p;
    });
    assert.deepEqual(comparable, expected);
  });
}

void test('an unknown profile is reported at the profile value, naming every place looked', (t) => {
  const { dir, ctx } = workspace(t, {
    [M]: 'version: 1\nprofile: stricter\nservers:\n  files: { command: node }\n',
  });
  const looked = [
    join(dir, 'profiles', 'stricter.yaml'),
    join(ctx.env.XDG_CONFIG_HOME!, 'mcp-guard', 'profiles', 'stricter.yaml'),
  ];
  const [problem, ...rest] = problemsOf(dir, ctx);
  assert.deepEqual(rest, []);
  assert.deepEqual(problem?.slice(0, 4), [M, 2, 10, 'profile']);
  assert.match(problem[4], /^unknown profile 'stricter' \(looked for /);
  for (const place of [...looked, 'built-in profiles'])
    assert.ok(problem[4].includes(place), `${problem[4]} names ${place}`);
});

void test('an unknown --profile has no position in the manifest', (t) => {
  const { dir, ctx } = workspace(t, { [M]: 'version: 1\nservers: {}\n' });
  const [problem] = problemsOf(dir, ctx, 'nope');
  assert.deepEqual(problem?.slice(0, 4), ['', undefined, undefined, '--profile']);
  assert.match(problem[4], /^unknown profile 'nope'/);
});

void test('a profile extends cycle is reported where the cycle closes', (t) => {
  const { dir, ctx } = workspace(t, 'cycle');
  const problems = problemsOf(dir, ctx);
  const a = join(dir, 'profiles', 'a.yaml');
  const b = join(dir, 'profiles', 'b.yaml');
  assert.deepEqual(problems, [
    ['profiles/b.yaml', 2, 10, 'extends', `profile extends cycle: ${a} → ${b} → ${a}`],
  ]);
});

void test('a profile extending its own name continues down the lookup instead of looping', (t) => {
  const { dir, ctx } = workspace(t, {
    [M]: 'version: 1\nprofile: loop\nservers: {}\n',
    'profiles/loop.yaml': 'extends: loop\n',
  });
  const [problem, ...rest] = problemsOf(dir, ctx);
  assert.deepEqual(rest, []);
  assert.deepEqual(problem?.slice(0, 4), ['profiles/loop.yaml', 1, 10, 'extends']);
  assert.match(problem[4], /^unknown profile 'loop'/);
});
