import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createGlobDecider, quote, uriForms } from '../../../src/policy/globs.js';

const names: [string, { allow: string[]; deny: string[] }, string, string | undefined][] = [
  ['default allows everything', { allow: ['*'], deny: [] }, 'move_file', undefined],
  ['a deny glob wins over allow *', { allow: ['*'], deny: ['move_*'] }, 'move_file', 'tools.deny'],
  ['deny is exact, not a prefix', { allow: ['*'], deny: ['move'] }, 'move_file', undefined],
  [
    'outside the allow list',
    { allow: ['read_*', 'list_*'], deny: [] },
    'write_file',
    'tools.allow',
  ],
  ['inside the allow list', { allow: ['read_*', 'list_*'], deny: [] }, 'list_dir', undefined],
  [
    'deny beats a matching allow',
    { allow: ['read_*'], deny: ['read_secret*'] },
    'read_secrets',
    'tools.deny',
  ],
  ['empty allow list allows nothing', { allow: [], deny: [] }, 'echo', 'tools.allow'],
  ['a leading dot is matched by *', { allow: ['*'], deny: ['*'] }, '.hidden', 'tools.deny'],
  ['case matters in names', { allow: ['*'], deny: ['Move_*'] }, 'move_file', undefined],
  ['? matches one character', { allow: ['*'], deny: ['get_?'] }, 'get_x', 'tools.deny'],
  ['braces', { allow: ['*'], deny: ['{move,delete}_*'] }, 'delete_all', 'tools.deny'],
];

for (const [what, lists, subject, rule] of names) {
  void test(`tool names: ${what}`, () => {
    const decide = createGlobDecider(lists, 'tools', 'tool');
    assert.equal(decide(subject)?.rule, rule);
    assert.equal(decide(subject)?.rule, rule, 'the cached decision is the same');
  });
}

const uris: [string, { allow: string[]; deny: string[] }, string, string | undefined][] = [
  ['* means every URI', { allow: ['*'], deny: [] }, 'file:///home/u/a.txt', undefined],
  [
    'deny a subtree',
    { allow: ['*'], deny: ['file:///etc/**'] },
    'file:///etc/passwd',
    'resources.deny',
  ],
  [
    'deny a subtree, dot files included',
    { allow: ['*'], deny: ['file:///w/**'] },
    'file:///w/.env',
    'resources.deny',
  ],
  [
    '* stays within a segment',
    { allow: ['file:///pub/*'], deny: [] },
    'file:///pub/a/b',
    'resources.allow',
  ],
  ['allowed subtree', { allow: ['file:///pub/**'], deny: [] }, 'file:///pub/a/b', undefined],
  [
    'percent-encoded traversal out of an allowed subtree',
    { allow: ['file:///pub/**'], deny: [] },
    'file:///pub/%2e%2e/secret',
    'resources.allow',
  ],
  [
    'percent-encoded name of a denied file',
    { allow: ['*'], deny: ['file:///etc/**'] },
    'file:///%65tc/passwd',
    'resources.deny',
  ],
  [
    'dot segments into a denied subtree',
    { allow: ['*'], deny: ['file:///etc/**'] },
    'file:///tmp/../etc/passwd',
    'resources.deny',
  ],
  ['other schemes', { allow: ['memo://**'], deny: [] }, 'memo://notes/1', undefined],
  ['a URI with a stray %', { allow: ['*'], deny: ['x://a%'] }, 'x://a%', 'resources.deny'],
];

for (const [what, lists, subject, rule] of uris) {
  void test(`resource URIs: ${what}`, () => {
    assert.equal(createGlobDecider(lists, 'resources', 'resource')(subject)?.rule, rule);
  });
}

void test('a refusal names the subject and the key that decided', () => {
  const decide = createGlobDecider({ allow: ['a*'], deny: ['ab*'] }, 'prompts', 'prompt');
  assert.deepEqual(decide('abc'), {
    rule: 'prompts.deny',
    reason: 'prompt "abc" is denied by prompts.deny',
  });
  assert.deepEqual(decide('x'), {
    rule: 'prompts.allow',
    reason: 'prompt "x" is not in prompts.allow',
  });
});

void test('URI forms: as sent, normalised and decoded', () => {
  assert.deepEqual(uriForms('file:///a/%2e%2e/b%20c'), [
    'file:///a/%2e%2e/b%20c',
    'file:///b%20c',
    'file:///a/../b c',
    'file:///b c',
  ]);
  assert.deepEqual(uriForms('not a url'), ['not a url']);
});

void test('quote escapes what would hide or reorder text, and cuts long subjects', () => {
  assert.equal(quote('a\u202eb\u0007'), '"a\\u202eb\\u0007"');
  assert.equal(quote('x'.repeat(300)).length, 203);
});
