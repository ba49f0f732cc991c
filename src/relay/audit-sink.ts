/** The part of the audit log the relay writes to (the audit module's AuditLog satisfies it). */
export interface AuditSink {
  readonly bodies: boolean;
  record(
    server: string,
    event: string,
    fields?: Record<string, unknown>,
    level?: 'debug' | 'info' | 'warn' | 'error',
  ): void;
}
