/**
 * Setting an own member whatever its name. A key someone else chose — a peer's `"__proto__"`, a
 * manifest's server or env name — is data: plain assignment of `__proto__` would set the object's
 * prototype instead. Used by the manifest's merge and by the policy's rewrites of messages.
 */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}
