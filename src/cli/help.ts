/**
 * Help text from a command's declaration: the synopsis, the description wrapped for a terminal,
 * and one aligned line per option. Pure, so every command's help has one layout.
 */

/** Lines are wrapped to fit this many columns. */
const WIDTH = 100;

/** What help needs of an option (the skeleton's `OptionSpec`). */
export interface OptionHelp {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  readonly value?: string;
  readonly help: string;
}

/** `Usage: mcp-guard X …`, or with several forms one indented line each. */
export function renderUsage(usage: readonly string[]): string {
  if (usage.length === 1) return `Usage: mcp-guard ${usage[0]}`;
  return ['Usage:', ...usage.map((form) => `  mcp-guard ${form}`)].join('\n');
}

export function renderHelp(
  usage: readonly string[],
  description: string,
  options: Readonly<Record<string, OptionHelp>>,
): string {
  const paragraphs = description
    .trim()
    .split(/\n\s*\n/)
    .map((paragraph) => wrap(paragraph.replace(/\s+/g, ' '), WIDTH).join('\n'));
  const entries = Object.entries(options);
  const width = Math.max(...entries.map(([name, option]) => flagColumn(name, option).length));
  const indent = 2 + width + 2;
  const lines = entries.map(([name, option]) => {
    const flags = flagColumn(name, option);
    const [first = '', ...more] = wrap(option.help, WIDTH - indent);
    return [
      `  ${flags.padEnd(width)}  ${first}`,
      ...more.map((line) => `${' '.repeat(indent)}${line}`),
    ].join('\n');
  });
  return `${renderUsage(usage)}\n\n${paragraphs.join('\n\n')}\n\nOptions:\n${lines.join('\n')}\n`;
}

/** `-c, --config FILE`, `--json`, `--allow DIR`. */
export function flagColumn(name: string, option: OptionHelp): string {
  const long = `--${name}${option.type === 'string' ? ` ${option.value ?? 'VALUE'}` : ''}`;
  return option.short === undefined ? long : `-${option.short}, ${long}`;
}

/** Greedy word wrap; a word longer than the width stands on its own line. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line === '') line = word;
    else if (line.length + 1 + word.length <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}
