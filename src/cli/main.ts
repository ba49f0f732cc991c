#!/usr/bin/env node
/** Entry point: runs the command the arguments name, then exits once stdout has flushed. */
import { reportFailure } from './command.js';
import { dispatch } from './commands.js';
import { holdCompilers } from './tiering.js';

/** Exits once stdout has flushed (a relay must not lose its last replies), at most 1 s later. */
function exitAfterFlush(code: number): void {
  const timer = setTimeout(() => process.exit(code), 1000);
  timer.unref();
  process.stdout.write('', () => process.exit(code));
}

// A relay compiles what it runs often, not what runs once at its start (tiering.ts).
if (process.argv[2] === 'run') holdCompilers();

dispatch(process.argv.slice(2)).then(exitAfterFlush, (err: unknown) =>
  exitAfterFlush(reportFailure(err)),
);
