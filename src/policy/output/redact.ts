/**
 * `output.redact`: secrets in what the server sends back are replaced with a marker —
 * `[REDACTED:aws]` for a built-in pattern, `[REDACTED]` for one of the manifest's own regular
 * expressions (which never appear anywhere, the audit log included). The built-ins run as one
 * regular expression; each of the manifest's runs on its own (its groups are its own).
 */
import { BUILTIN_PATTERNS, isBuiltinName } from './redact-patterns.js';

export type Redact = (text: string) => string;

export const CUSTOM_MARKER = '[REDACTED]';

/** Why: built once per server from its `output.redact`; undefined when there is nothing to do. */
export function createRedactor(entries: readonly string[]): Redact | undefined {
  const names = entries.filter(isBuiltinName);
  const custom = entries.filter((entry) => !isBuiltinName(entry)).map((s) => new RegExp(s, 'gu'));
  const builtin = names.length === 0 ? undefined : builtinRedactor(names);
  if (builtin === undefined && custom.length === 0) return undefined;
  return (text) => {
    let out = builtin === undefined ? text : builtin(text);
    for (const pattern of custom) {
      pattern.lastIndex = 0;
      if (!pattern.test(out)) continue;
      out = out.replace(pattern, CUSTOM_MARKER);
    }
    return out;
  };
}

function builtinRedactor(names: readonly string[]): Redact {
  const labels: string[] = [];
  const sources: string[] = [];
  for (const name of names) {
    for (const pattern of BUILTIN_PATTERNS[name] ?? []) {
      const n = labels.length;
      labels.push(name);
      sources.push(
        pattern.keep === undefined
          ? `(?<s${n}>${pattern.secret})`
          : `(?<k${n}>${pattern.keep})(?<s${n}>${pattern.secret})`,
      );
    }
  }
  const source = sources.join('|');
  const test = new RegExp(source, 'u');
  const replace = new RegExp(source, 'gu');
  return (text) => {
    if (!test.test(text)) return text;
    return text.replace(replace, (...args: unknown[]) => {
      const groups = args.at(-1) as Record<string, string | undefined>;
      for (let n = 0; n < labels.length; n++) {
        if (groups[`s${n}`] === undefined) continue;
        return `${groups[`k${n}`] ?? ''}[REDACTED:${labels[n]}]`;
      }
      return String(args[0]);
    });
  };
}
