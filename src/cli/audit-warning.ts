/**
 * What `run` and `up` do when the audit log cannot be written (disk full, file removed from
 * under them): say so once on stderr and keep relaying. Refusing to relay would turn a full disk
 * into every MCP server failing; the lost records show up as a gap in `mcp-guard logs --verify`.
 */
import type { GuardError } from '../errors.js';

export function warnOnceOnAuditFailure(): (err: GuardError) => void {
  let warned = false;
  return (err) => {
    if (warned) return;
    warned = true;
    process.stderr.write(`mcp-guard: ${err.message}; relaying goes on, records are being lost\n`);
  };
}
