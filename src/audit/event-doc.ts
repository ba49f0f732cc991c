/**
 * The shape of one entry of the audit catalogue (catalogue.ts): an event's level, summary and the
 * meaning of each field, typed so that the catalogue must list exactly the event's fields.
 */
import type { AuditEventFields, AuditEventName, AuditLevel } from './events.js';

/** A field's meaning; `optional: true` when some records of the event leave it out. */
export interface FieldDoc {
  readonly doc: string;
  readonly optional?: true;
}

/** Why: the type forces one entry per field of `AuditEventFields`, optional exactly where it is. */
type FieldDocs<F> = {
  readonly [K in keyof Required<F>]: Partial<Pick<F, K>> extends Pick<F, K>
    ? { readonly doc: string; readonly optional: true }
    : { readonly doc: string; readonly optional?: never };
};

export interface EventDoc<E extends AuditEventName> {
  /** The usual level; `levelNote` says when a constructor chooses another. */
  readonly level: AuditLevel;
  readonly levelNote?: string;
  readonly summary: string;
  readonly fields: FieldDocs<AuditEventFields[E]>;
}
