/** Where in a manifest (or profile) a problem was found; line and col are 1-based. */
export interface SourcePosition {
  file: string;
  line: number;
  col: number;
}

/** One problem in a configuration file, reported with the others all at once. */
export interface ConfigProblem extends Partial<SourcePosition> {
  /** The key path, e.g. `servers.files.restart.window`. */
  key?: string;
  message: string;
}

export type GuardErrorCode =
  | 'ERR_USAGE'
  | 'ERR_CONFIG_NOT_FOUND'
  | 'ERR_CONFIG_INVALID'
  | 'ERR_SERVER_UNKNOWN'
  | 'ERR_SPAWN'
  | 'ERR_AUDIT'
  | 'ERR_AUDIT_VERIFY'
  | 'ERR_HANDSHAKE'
  | 'ERR_LOCK'
  | 'ERR_TOKEN'
  | 'ERR_WRITE';

/** Why: one error class for local failures; only cli/ turns it into stderr text and an exit code. */
export class GuardError extends Error {
  readonly code: GuardErrorCode;
  readonly problems: readonly ConfigProblem[];

  constructor(
    code: GuardErrorCode,
    message: string,
    options: { cause?: unknown; problems?: readonly ConfigProblem[] } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GuardError';
    this.code = code;
    this.problems = options.problems ?? [];
  }

  /** Usage and configuration errors exit 2; everything else is a runtime failure (1). */
  get exitCode(): 1 | 2 {
    return this.code === 'ERR_USAGE' ||
      this.code === 'ERR_CONFIG_NOT_FOUND' ||
      this.code === 'ERR_CONFIG_INVALID' ||
      this.code === 'ERR_SERVER_UNKNOWN'
      ? 2
      : 1;
  }
}

/** Formats a problem as `file:line:col: key: message` for humans. */
export function formatProblem(problem: ConfigProblem): string {
  const where =
    problem.file === undefined
      ? ''
      : `${problem.file}${problem.line === undefined ? '' : `:${problem.line}:${problem.col ?? 1}`}: `;
  const key = problem.key === undefined ? '' : `${problem.key}: `;
  return `${where}${key}${problem.message}`;
}
