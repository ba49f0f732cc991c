import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Expected, problemsOf, workspace } from '../../helpers/config-problems.js';

const DURATION =
  'expected a duration greater than 0 (250ms, 5s, 10m, 1h or whole milliseconds), got';
const SIZE = 'expected a size greater than 0 (512KiB, 8MiB, 1GiB or bytes), got';
const M = 'mcp-guard.yaml';

const cases: [string, Record<string, string>, Expected[]][] = [
  [
    'unknown keys, at the key, with a suggestion or the expected keys',
    {
      [M]: 'version: 1\nservers:\n  files:\n    command: node\n    restart:\n      polcy: always\n    colour: blue\n',
    },
    [
      [M, 6, 7, 'servers.files.restart.polcy', "unknown key 'polcy' (did you mean 'policy'?)"],
      [
        M,
        7,
        5,
        'servers.files.colour',
        "unknown key 'colour' (expected one of: command, args, cwd, env, inheritEnv, paths, tools, resources, prompts, sampling, elicitation, observe, sandbox, restart, health, limits, output)",
      ],
    ],
  ],
  [
    'wrong types, at the value',
    {
      [M]: 'version: 1\nservers:\n  files:\n    command: [node]\n    args: node server.js\n    tools:\n      readOnlyOnly: "yes"\n',
    },
    [
      [M, 4, 14, 'servers.files.command', 'expected a string, got a list'],
      [M, 5, 11, 'servers.files.args', "expected a list, got 'node server.js'"],
      [M, 7, 21, 'servers.files.tools.readOnlyOnly', "expected true or false, got 'yes'"],
    ],
  ],
  [
    'bad durations: unknown unit, zero, fractions, negative, too long for a timer',
    {
      [M]: 'version: 1\nservers:\n  files:\n    command: node\n    restart:\n      window: 5 sec\n      backoff: { initial: 0ms, max: 1.5s }\n    health: { interval: -1, timeout: 30d }\n    limits: { callTimeout: 720h }\n',
    },
    [
      [M, 6, 15, 'servers.files.restart.window', `${DURATION} '5 sec'`],
      [M, 7, 27, 'servers.files.restart.backoff.initial', `${DURATION} '0ms'`],
      [M, 7, 37, 'servers.files.restart.backoff.max', `${DURATION} '1.5s'`],
      [M, 8, 25, 'servers.files.health.interval', `${DURATION} -1`],
      [M, 8, 38, 'servers.files.health.timeout', `${DURATION} '30d'`],
      [
        M,
        9,
        28,
        'servers.files.limits.callTimeout',
        '720h is longer than Node.js timers allow (2147483647 ms, about 24 days)',
      ],
    ],
  ],
  [
    'bad sizes: decimal units, zero',
    {
      [M]: 'version: 1\nservers:\n  files:\n    command: node\n    limits: { maxMessageBytes: 8MB }\n    output:\n      maxResultBytes: 0\n',
    },
    [
      [M, 5, 32, 'servers.files.limits.maxMessageBytes', `${SIZE} '8MB'`],
      [M, 7, 23, 'servers.files.output.maxResultBytes', `${SIZE} 0`],
    ],
  ],
  [
    'unset ${env:X} and unknown variables, at the string',
    {
      [M]: 'version: 1\naudit: { file: "${env:MCP_GUARD_TEST_LOG}" }\nservers:\n  files:\n    command: node\n    env:\n      TOKEN: "Bearer ${env:MCP_GUARD_TEST_UNSET}"\n    args: ["${workspaceFolder}", "${workspace}"]\n',
    },
    [
      [
        M,
        2,
        16,
        'audit.file',
        'environment variable MCP_GUARD_TEST_LOG is not set (used as ${env:MCP_GUARD_TEST_LOG})',
      ],
      [
        M,
        7,
        14,
        'servers.files.env.TOKEN',
        'environment variable MCP_GUARD_TEST_UNSET is not set (used as ${env:MCP_GUARD_TEST_UNSET})',
      ],
      [
        M,
        8,
        34,
        'servers.files.args[1]',
        'unknown variable ${workspace} (expected ${workspaceFolder}, ${userHome} or ${env:NAME}; write $${ for a literal ${)',
      ],
    ],
  ],
  [
    'YAML syntax',
    {
      [M]: 'version: 1\nservers:\n  files:\n    command: node\n    args: [one, two\n  other:\n    command: node\n',
    },
    [
      [
        M,
        6,
        3,
        undefined,
        'YAML: flow sequence in block collection must be sufficiently indented and end with a ]',
      ],
    ],
  ],
  [
    'YAML syntax: a tab for indentation',
    { [M]: 'version: 1\nservers:\n\tfiles: { command: node }\n' },
    [[M, 3, 1, undefined, 'YAML: tabs are not allowed as indentation']],
  ],
  [
    'duplicate keys',
    {
      [M]: 'version: 1\nservers:\n  files:\n    command: node\n    args: []\n    command: python\n',
    },
    [[M, 6, 5, undefined, "duplicate key 'command' (each key may appear once in a map)"]],
  ],
  [
    'missing version and servers, at the start',
    { [M]: '# nothing else\nprofile: default\n' },
    [
      [M, 2, 1, 'version', "missing required key 'version'"],
      [M, 2, 1, 'servers', "missing required key 'servers'"],
    ],
  ],
  ['an empty file', { [M]: '' }, [[M, 1, 1, undefined, 'expected a map of settings, got nothing']]],
  [
    'several problems at once, sorted by position',
    {
      [M]: 'version: 2\nservers:\n  files:\n    args: []\n    sandbox: { mode: maybe, network: deny }\n  "bad name": { command: node }\n  other: 5\n',
    },
    [
      [M, 1, 10, 'version', 'expected 1, got 2'],
      [M, 3, 3, 'servers.files.command', "missing required key 'command'"],
      [M, 5, 22, 'servers.files.sandbox.mode', "expected one of auto, required, off, got 'maybe'"],
      [
        M,
        6,
        3,
        'servers.bad name',
        "server name 'bad name' may use only letters, digits, '.', '_' and '-', and must not start with '.' or '-'",
      ],
      [M, 7, 10, 'servers.other', 'expected a map, got 5'],
    ],
  ],
  [
    'a redact entry that is not a regular expression',
    {
      [M]: 'version: 1\nservers:\n  a:\n    command: node\n    output: { redact: [aws, "(open"] }\n',
    },
    [
      [
        M,
        5,
        29,
        'servers.a.output.redact[1]',
        'not a valid regular expression: Invalid regular expression: /(open/u: Unterminated group',
      ],
    ],
  ],
  [
    'a misspelt built-in redact name, and a redact pattern that can match nothing',
    {
      [M]: 'version: 1\nservers:\n  a:\n    command: node\n    output: { redact: [githb, slack, "x*", "(?:githb)"] }\n',
    },
    [
      [
        M,
        5,
        24,
        'servers.a.output.redact[0]',
        "'githb' is not a built-in pattern (aws, github, private-key, bearer, slack, google, stripe, npm); to match this text literally, write (?:githb)",
      ],
      [
        M,
        5,
        38,
        'servers.a.output.redact[2]',
        'this regular expression can match an empty string; it must match at least one character',
      ],
    ],
  ],
  [
    'backoff.initial longer than backoff.max, after merging, at the server',
    {
      [M]: 'version: 1\nservers:\n  slow:\n    command: node\n    restart: { backoff: { initial: 20s } }\n',
    },
    [
      [
        M,
        3,
        3,
        'servers.slow',
        'restart.backoff.initial (20000 ms) is longer than restart.backoff.max (15000 ms)',
      ],
    ],
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
