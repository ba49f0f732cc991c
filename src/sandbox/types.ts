/** The sandbox's vocabulary: what this machine supports, and what one launch actually got. */
import type { AllowDeny, SandboxMode } from '../config/types.js';

/** The OS sandbox a launch ran in; `none` is unconfined. */
export type BackendName = 'bwrap' | 'landlock' | 'sandbox-exec' | 'none';

/** Which backend to try: the strongest that works here (`auto`), or one by name. */
export type BackendChoice = 'auto' | Exclude<BackendName, 'none'>;

/** What the trial run found out about this machine (cached per process). */
export interface SandboxSupport {
  /**
   * The backend chosen: the first that works of this OS's backends, else the strongest one
   * (`none` where mcp-guard has no OS sandbox, as on Windows).
   */
  backend: BackendName;
  /** Absolute path of the backend's program, when found. */
  binary: string | null;
  version: string | null;
  /** The trial run of the exact flag set worked. */
  usable: boolean;
  /** Why it cannot be used (null when usable). */
  cause: string | null;
  /** How to make it usable (null when usable). */
  fix: string | null;
  /** What the trial printed when it failed, for `doctor`. */
  detail: string | null;
  /** Stronger backends of this OS whose trial failed before this one worked, for `doctor`. */
  passedOver?: readonly SandboxSupport[];
}

/** What one launch got: recorded as `sandbox.applied`, once per launch. */
export interface SandboxApplied {
  /** The backend actually used. */
  backend: BackendName;
  /** `sandbox.mode` as configured. */
  requested: SandboxMode;
  /** `sandbox.network` as configured (enforced only when `backend` is not `none`). */
  network: AllowDeny;
  version: string | null;
  /** Why the launch runs unconfined (or is refused) although a sandbox was requested. */
  reason: string | null;
  /** What the backend could not fully honour (e.g. a deny walk cut short). */
  notes: string[];
  /** What this backend never confines that bubblewrap does (Landlock: processes, IPC…). */
  limits?: string[];
}
