/** What mcp-guard hands the Landlock launcher on descriptor 3: one launch, as JSON. */
import type { AllowDeny } from '../config/types.js';
import type { LandlockAccess } from './landlock-abi.js';

export interface LandlockRule {
  /** A real path, folder or file; a folder's rule covers everything beneath it. */
  path: string;
  access: LandlockAccess;
}

export interface LandlockSpec {
  /** The program to execute (absolute). */
  exec: string;
  /** Its argv, argv[0] included. */
  argv: string[];
  /** Its complete environment. */
  env: Record<string, string>;
  rules: LandlockRule[];
  network: AllowDeny;
  /** The seccomp program the launcher loads before it becomes the server (base64), if any. */
  filter?: string;
}
