/** Progress lines go to stderr, so stdout carries only the report. */
export function progress(text: string): void {
  process.stderr.write(`bench: ${text}\n`);
}
