import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { importServers, serversYaml } from '../../../src/adopt/index.js';
import { clientLocations, clineSettingsPath } from '../../../src/adopt/client-paths.js';
import { isSecretName, looksLikeSecret } from '../../../src/adopt/secrets.js';
import { GuardError } from '../../../src/errors.js';
import { LAYOUTS, fixtureSecrets, homeFor, makeHome } from './homes.js';

const isSecret = (name: string, value: string) => isSecretName(name) || looksLikeSecret(value);

test('client paths on Windows: %APPDATA% for Claude and VS Code, the profile folder for the rest', () => {
  const ctx = {
    cwd: 'C:\\work\\proj',
    env: { APPDATA: 'C:\\Users\\u\\AppData\\Roaming' },
    homeDir: 'C:\\Users\\u',
    platform: 'win32' as const,
  };
  const paths = (client: Parameters<typeof clientLocations>[0]) =>
    clientLocations(client, ctx).map((l) => l.path);
  assert.deepEqual(paths('cline'), [
    'C:\\Users\\u\\.cline\\data\\settings\\cline_mcp_settings.json',
    'C:\\Users\\u\\AppData\\Roaming\\Code\\User\\globalStorage\\saoudrizwan.claude-dev\\settings\\cline_mcp_settings.json',
  ]);
  assert.deepEqual(paths('claude'), [
    'C:\\Users\\u\\AppData\\Roaming\\Claude\\claude_desktop_config.json',
  ]);
  assert.deepEqual(paths('cursor'), [
    'C:\\work\\proj\\.cursor\\mcp.json',
    'C:\\Users\\u\\.cursor\\mcp.json',
  ]);
  assert.deepEqual(paths('vscode'), [
    'C:\\work\\proj\\.vscode\\mcp.json',
    'C:\\Users\\u\\AppData\\Roaming\\Code\\User\\mcp.json',
  ]);
  assert.deepEqual(paths('windsurf'), ['C:\\Users\\u\\.codeium\\windsurf\\mcp_config.json']);
});

test("Cline's settings path: CLINE_MCP_SETTINGS_PATH, then CLINE_DATA_DIR, then CLINE_DIR, then ~/.cline", () => {
  const base = { cwd: '/w', homeDir: '/h', platform: 'linux' as const };
  const at = (env: NodeJS.ProcessEnv) => clineSettingsPath({ ...base, env });
  assert.equal(at({}), '/h/.cline/data/settings/cline_mcp_settings.json');
  assert.equal(at({ CLINE_DIR: '/c' }), '/c/data/settings/cline_mcp_settings.json');
  assert.equal(
    at({ CLINE_DIR: '/c', CLINE_DATA_DIR: '/d' }),
    '/d/settings/cline_mcp_settings.json',
  );
  assert.equal(at({ CLINE_DATA_DIR: '/d', CLINE_MCP_SETTINGS_PATH: '/x.json' }), '/x.json');
  assert.equal(at({ CLINE_DIR: '  ' }), '/h/.cline/data/settings/cline_mcp_settings.json');
});

for (const layout of LAYOUTS) {
  test(`import ${layout.label}: every stdio entry, no secret in the manifest`, (t) => {
    const home = homeFor(t, layout);
    const result = importServers(layout.client, home.ctx);
    assert.deepEqual(
      result.source.files,
      home.paths.filter((p) => !p.endsWith('.env')),
    );
    assert.ok(result.imported.length > 0);
    const yaml = serversYaml(result.servers);
    for (const [fixture] of layout.files) {
      for (const secret of fixtureSecrets(fixture, isSecret)) {
        assert.ok(!yaml.includes(secret), `${secret} is in the manifest:\n${yaml}`);
      }
    }
    if (layout.label.includes('legacy')) assert.match(result.notes.join('\n'), /legacy/);
  });
}

test('import cline: both entry shapes; secrets by name and by look become ${env:NAME}; remote and disabled skipped', (t) => {
  const home = homeFor(t, LAYOUTS[0]!);
  const result = importServers('cline', home.ctx);
  assert.deepEqual(result.servers, {
    github: {
      command: 'npx',
      args: ['-y', '@modelcontextprotocol/server-github'],
      env: { GITHUB_PERSONAL_ACCESS_TOKEN: '${env:GITHUB_PERSONAL_ACCESS_TOKEN}' },
    },
    memory: {
      command: 'node',
      args: ['/opt/mcp/memory/dist/index.js'],
      cwd: '/opt/mcp/memory',
      env: { MEMORY_FILE_PATH: '/home/user/memory.jsonl', API_KEY: '${env:API_KEY}' },
    },
    fetch: {
      command: 'uvx',
      args: ['mcp-server-fetch', '--ignore-robots-txt'],
      env: { SERVICE_PASSWORD: '${env:SERVICE_PASSWORD}' },
    },
  });
  assert.deepEqual(
    result.skipped.map((s) => [s.entryName, s.reason.split(' (')[0]]),
    [
      ['remote-docs', 'a remote server'],
      ['old-sqlite', 'disabled in the client'],
    ],
  );
});

test('import claude: literal ${ in a client without variables is escaped; names made valid', (t) => {
  const home = homeFor(t, LAYOUTS[5]!);
  const result = importServers('claude', home.ctx);
  assert.deepEqual(Object.keys(result.servers), ['filesystem', 'brave-search', 'price-literal']);
  assert.deepEqual(result.servers['price-literal']!.args, [
    '/srv/price.js',
    '--label=$${not-a-variable}',
  ]);
  assert.deepEqual(result.servers['brave-search']!.env, { BRAVE_API_KEY: '${env:BRAVE_API_KEY}' });
});

test('import cursor: the project file wins over the user file; variables kept as references', (t) => {
  const home = homeFor(t, LAYOUTS[7]!);
  const result = importServers('cursor', home.ctx);
  assert.deepEqual(result.servers['project-db'], {
    command: 'npx',
    args: ['-y', '@example/db-mcp', '${workspaceFolder}/data.db'],
    env: { DB_TOKEN: '${env:DB_TOKEN}', LOG_LEVEL: 'debug' },
  });
  assert.deepEqual(result.servers['shared']!.args, ['./tools/shared-mcp.js']);
  assert.deepEqual(result.servers['notes']!.env, { NOTES_DIR: '${env:NOTES_DIR}' });
  const reasons = Object.fromEntries(result.skipped.map((s) => [s.entryName, s.reason]));
  assert.match(reasons['shared']!, /project file defines it too/);
  assert.match(reasons['linear']!, /remote/);
  assert.match(result.notes.join('\n'), /notes.*envFile/);
});

test('import vscode: ${input:…} in env becomes ${env:NAME}, elsewhere the entry is skipped; envFile names passed', (t) => {
  const home = homeFor(t, LAYOUTS[8]!);
  const result = importServers('vscode', home.ctx);
  assert.deepEqual(result.servers, {
    perplexity: {
      command: 'npx',
      args: ['-y', 'server-perplexity-ask'],
      env: { PERPLEXITY_API_KEY: '${env:PERPLEXITY_API_KEY}' },
    },
    local: {
      command: 'node',
      args: ['${workspaceFolder}/server.js'],
      env: { SERVICE_TOKEN: '${env:SERVICE_TOKEN}', REGION: '${env:REGION}' },
    },
  });
  const reasons = Object.fromEntries(result.skipped.map((s) => [s.entryName, s.reason]));
  assert.match(reasons['asks']!, /\$\{input:perplexity-key\}/);
  assert.match(reasons['github']!, /remote/);
});

test('import windsurf: serverUrl entries are remote', (t) => {
  const home = homeFor(t, LAYOUTS[10]!);
  const result = importServers('windsurf', home.ctx);
  assert.deepEqual(result.servers, {
    git: { command: 'uvx', args: ['mcp-server-git', '--repository', '${env:HOME}/code/repo'] },
  });
  assert.match(result.skipped[0]!.reason, /remote server \(https:\/\/figma/);
});

test('import --from FILE sniffs the shape; with no client config found, every place looked at is named', (t) => {
  const home = makeHome(t);
  assert.throws(
    () => importServers(undefined, home.ctx),
    (err: GuardError) =>
      err.code === 'ERR_CONFIG_NOT_FOUND' &&
      err.message.includes('.cline') &&
      err.message.includes('mcp_config.json'),
  );
  const file = home.put('vscode-project/.vscode/mcp.json', 'some/file.json');
  const result = importServers(file, home.ctx);
  assert.equal(result.source.client, 'file');
  assert.ok('perplexity' in result.servers);
});

test('a secret in the arguments skips the entry (nothing is copied)', (t) => {
  const home = makeHome(t);
  const file = join(home.root, 'c.json');
  writeFileSync(
    file,
    JSON.stringify({
      mcpServers: {
        pg: { command: 'npx', args: ['-y', 'server-postgres', 'postgresql://app:s3cretpw@db/app'] },
        gh: { command: 'gh-mcp', args: ['--token', 'ghp_Zq8xV2mN4pL6rT0yW3sK9dF1hJ5gB7cA2eU4'] },
      },
    }),
  );
  const result = importServers(file, home.ctx);
  assert.deepEqual(result.servers, {});
  assert.deepEqual(
    result.skipped.map((s) => s.entryName),
    ['pg', 'gh'],
  );
  assert.match(result.skipped[0]!.reason, /secret in its command or arguments/);
});

const MALFORMED: [string, string, string, RegExp][] = [
  [
    'bad JSON',
    'home/.cline/data/settings/cline_mcp_settings.json',
    '{\n  "mcpServers": {\n    "a": {"command": "x",}\n  }\n}\n',
    /:3:\d+: .*trailing comma/,
  ],
  [
    'a comment in mcp.json',
    'home/.cursor/mcp.json',
    '{\n  // mine\n  "mcpServers": {}\n}\n',
    /mcp\.json:2:3: comments are not allowed/,
  ],
  [
    'an entry with neither command nor url',
    'home/.codeium/windsurf/mcp_config.json',
    '{\n  "mcpServers": {\n    "ok": {"command": "x"},\n    "broken": {"args": ["y"]}\n  }\n}\n',
    /mcp_config\.json:4:15: mcpServers\.broken: server 'broken': has neither `command`/,
  ],
];

for (const [label, to, text, expected] of MALFORMED) {
  test(`malformed client file (${label}): the message names the file, line and entry`, (t) => {
    const home = makeHome(t);
    const file = join(home.root, to);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    const client = to.includes('.cline') ? 'cline' : to.includes('cursor') ? 'cursor' : 'windsurf';
    assert.throws(
      () => importServers(client, home.ctx),
      (err: GuardError) => {
        assert.equal(err.code, 'ERR_CONFIG_INVALID');
        assert.match(err.message, /nothing was changed/);
        const lines = err.problems.map(
          (p) =>
            `${p.file}:${p.line}:${p.col}: ${p.key === undefined ? '' : `${p.key}: `}${p.message}`,
        );
        assert.match(lines.join('\n'), expected);
        assert.ok(lines[0]!.startsWith(file));
        return true;
      },
    );
    assert.equal(readFileSync(file, 'utf8'), text);
  });
}

test('a directory named in the arguments becomes a root of the server (it was given that folder)', (t) => {
  const home = makeHome(t);
  const file = join(home.root, 'c.json');
  writeFileSync(
    file,
    JSON.stringify({
      mcpServers: {
        files: {
          command: 'npx',
          args: ['-y', 'server-filesystem', home.project, join(home.root, 'missing'), file],
        },
      },
    }),
  );
  assert.deepEqual(importServers(file, home.ctx).servers['files']!.paths, {
    roots: [home.project],
  });
});
