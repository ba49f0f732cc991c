/**
 * What an argument's property name says about its value. Names are split into words
 * (`filePath`, `file_path`, `FILE-PATH` → file, path) and judged by their words:
 *
 * - text: the last word says the value is free text or a pattern (`content`, `newText`,
 *   `excludePatterns`, `query`), so a leading `/` in it is not a path (`/* comment *\/`);
 * - path: some word names a file or folder (`path`, `file`, `dir`, `source`, `destination`…),
 *   so every string under it is a path, relative ones included;
 * - free: anything else; its strings are paths only when they look like one (path-candidate.ts).
 */
import { remembering } from '../../remembered.js';

/** Words that make a property a path (any word of its name). */
export const PATH_WORDS: ReadonlySet<string> = new Set([
  'path',
  'paths',
  'pathname',
  'pathnames',
  'filepath',
  'filepaths',
  'file',
  'files',
  'filename',
  'filenames',
  'dir',
  'dirs',
  'dirname',
  'directory',
  'directories',
  'folder',
  'folders',
  'root',
  'roots',
  'cwd',
  'workdir',
  'source',
  'sources',
  'src',
  'destination',
  'destinations',
  'dest',
  'target',
  'targets',
]);

/** Last words that make a property free text (checked before PATH_WORDS: `fileContent`). */
export const TEXT_WORDS: ReadonlySet<string> = new Set([
  'content',
  'contents',
  'text',
  'texts',
  'body',
  'message',
  'description',
  'comment',
  'comments',
  'note',
  'notes',
  'title',
  'summary',
  'query',
  'pattern',
  'patterns',
  'glob',
  'globs',
  'regex',
  'regexp',
  'prompt',
  'code',
  'snippet',
  'diff',
  'patch',
]);

export type NameKind = 'path' | 'text' | 'free';

/**
 * Argument names recur on every call of a tool: the kind of each name up to 64 characters is
 * remembered, for up to 1,024 names before the memory starts over (whatever a peer sends).
 */
export const nameKind: (name: string) => NameKind = remembering(kindOfName, 64, 1024);

function kindOfName(name: string): NameKind {
  const words = splitWords(name);
  const last = words[words.length - 1];
  if (last !== undefined && TEXT_WORDS.has(last)) return 'text';
  return words.some((word) => PATH_WORDS.has(word)) ? 'path' : 'free';
}

/** `readMultipleFiles` → read, multiple, files; `URLPath` → url, path; `dest_dir` → dest, dir. */
export function splitWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== '');
}
