/** How tests name a server to launch: a command line, for any client (SDK, Cline, raw). */
import { join } from 'node:path';
import { FIXTURES } from './paths.js';

export interface CommandLine {
  command: string;
  args: string[];
}

/** `node test/fixtures/NAME.mjs ARGS…` (NAME with or without `.mjs`). */
export function fixtureCommand(name: string, ...args: string[]): CommandLine {
  const file = name.endsWith('.mjs') ? name : `${name}.mjs`;
  return { command: process.execPath, args: [join(FIXTURES, file), ...args] };
}

/** `node SCRIPT ARGS…`, e.g. a reference server's dist/index.js. */
export function nodeCommand(script: string, ...args: string[]): CommandLine {
  return { command: process.execPath, args: [script, ...args] };
}
