import type { AuditEvent } from '../audit/events.js';

/** The part of the audit log the relay writes to (the audit module's AuditLog satisfies it). */
export interface AuditSink {
  readonly bodies: boolean;
  /**
   * While corked, records are held and then written together by uncork() — which the relay calls
   * before it releases any reply, so every record is still written before the reply it describes.
   */
  cork?(): void;
  uncork?(): void;
  /** Writes one event of the catalogue (src/audit/event-constructors.ts makes them). */
  record(server: string, event: AuditEvent): void;
}
