/** `${workspaceFolder}`, `${userHome}` and `${env:NAME}` in manifest strings (VS Code style). */

/** Why: the values variables expand to, gathered once per manifest. */
export interface VariableScope {
  workspaceFolder: string;
  userHome: string;
  env(name: string): string | undefined;
}

/** The expanded text, or what was wrong with it (every unset or unknown variable). */
export type Expansion = { ok: true; value: string } | { ok: false; problems: string[] };

const KNOWN = '${workspaceFolder}, ${userHome} or ${env:NAME}';

/** Why: validators return results; one string may name several unset variables, all reported. */
export function expandVariables(text: string, scope: VariableScope): Expansion {
  if (!text.includes('$')) return { ok: true, value: text };
  let value = '';
  const problems: string[] = [];
  let i = 0;
  while (i < text.length) {
    const dollar = text.indexOf('$', i);
    if (dollar === -1) break;
    value += text.slice(i, dollar);
    if (text.startsWith('$${', dollar)) {
      value += '${'; // `$${` is a literal `${`
      i = dollar + 3;
      continue;
    }
    if (text[dollar + 1] !== '{') {
      value += '$';
      i = dollar + 1;
      continue;
    }
    const close = text.indexOf('}', dollar + 2);
    if (close === -1) {
      problems.push(`'\${' without a closing '}' (write $\${ for a literal \${)`);
      i = text.length;
      break;
    }
    const name = text.slice(dollar + 2, close);
    const expanded = expandOne(name, scope);
    if (typeof expanded === 'string') value += expanded;
    else problems.push(expanded.problem);
    i = close + 1;
  }
  value += text.slice(i);
  return problems.length === 0 ? { ok: true, value } : { ok: false, problems };
}

function expandOne(name: string, scope: VariableScope): string | { problem: string } {
  if (name === 'workspaceFolder') return scope.workspaceFolder;
  if (name === 'userHome') return scope.userHome;
  if (name.startsWith('env:') && name.length > 4) {
    const variable = name.slice(4);
    const value = scope.env(variable);
    return (
      value ?? {
        problem: `environment variable ${variable} is not set (used as \${env:${variable}})`,
      }
    );
  }
  return {
    problem: `unknown variable \${${name}} (expected ${KNOWN}; write $\${ for a literal \${)`,
  };
}

/** Why: `check` prints a resolved manifest that must expand to itself, so literal `${` is escaped. */
export function escapeVariables(text: string): string {
  return text.replaceAll('${', () => '$${'); // a function: in a replacement string $$ means $
}
