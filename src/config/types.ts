/**
 * The resolved configuration: what every command works from once the manifest, its profile,
 * `defaults` and the server's own keys are merged and variables expanded. Durations are
 * milliseconds and sizes bytes, so a resolved configuration printed by `check` is itself a valid
 * manifest.
 */

export type RestartPolicy = 'on-failure' | 'always' | 'never';
export type PinMode = 'off' | 'warn' | 'block';
export type AllowDeny = 'allow' | 'deny';
export type SandboxMode = 'auto' | 'required' | 'off';
/** `sandbox.backend`: which OS sandbox to use; `auto` (or absent) takes the strongest that works. */
export type SandboxChoice = 'auto' | 'bwrap' | 'landlock' | 'sandbox-exec';

export interface AllowDenyLists {
  allow: string[];
  deny: string[];
}

export interface ServerConfig {
  /** The key under `servers:` (or, ad hoc, the command's base name). */
  name: string;
  command: string;
  args: string[];
  /** Absolute. */
  cwd: string;
  env: Record<string, string>;
  inheritEnv: string[];
  paths: { roots: string[]; readOnly: string[]; deny: string[] };
  tools: AllowDenyLists & {
    readOnlyOnly: boolean;
    pin: PinMode;
    pathArgs: Record<string, string[]>;
    rateLimits: Record<string, number>;
  };
  resources: AllowDenyLists;
  prompts: AllowDenyLists;
  sampling: AllowDeny;
  elicitation: AllowDeny;
  /**
   * Refuse, hide and cut nothing on the wire: each would-be refusal is audited with
   * `enforced: false` (the `observe` profile). The OS sandbox is not part of it.
   */
  observe: boolean;
  sandbox: { mode: SandboxMode; network: AllowDeny; backend?: SandboxChoice };
  restart: {
    policy: RestartPolicy;
    maxRestarts: number;
    /** ms */
    window: number;
    /** ms */
    backoff: { initial: number; max: number };
  };
  /** ms, ms, count */
  health: { interval: number; timeout: number; failures: number };
  /** bytes, per minute, ms; maxMemory (bytes): absent, no limit */
  limits: {
    maxMessageBytes: number;
    callsPerMinute: number;
    callTimeout: number;
    maxMemory?: number;
  };
  output: { stripControl: boolean; redact: string[]; maxResultBytes: number };
}

export interface AuditConfig {
  /** Absolute path, or `-` for stderr. */
  file: string;
  bodies: boolean;
  /**
   * Absolute path of the file where each session seals its chain's head (`audit.anchor`);
   * outside every server's roots. Absent: no anchor.
   */
  anchor?: string;
}

export interface ResolvedManifest {
  /** Absolute path of the manifest file; null for an ad-hoc `run -- CMD`. */
  file: string | null;
  /** `${workspaceFolder}`: the manifest's folder (ad hoc: the working directory). */
  dir: string;
  /** Where `.mcp-guard/` state lives (the manifest's folder, or `$XDG_STATE_HOME/mcp-guard`). */
  stateDir: string;
  version: 1;
  profile: string;
  /**
   * The profile files the chain was read from (absolute; built-ins excluded): like the manifest,
   * what decides confinement, so no confined server may change them.
   */
  profileFiles?: string[];
  audit: AuditConfig;
  servers: Record<string, ServerConfig>;
}
