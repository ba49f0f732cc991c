/**
 * The shape of a record on disk, as the writers (chained-audit-log.ts, lean-line.ts) and readers
 * (format.ts, check-record.ts) need it: the keys the log itself writes on every record, then each
 * event's fields in the catalogue's order.
 */
import { AUDIT_CATALOGUE, AUDIT_EVENTS } from './catalogue.js';
import type { AuditEventName } from './events.js';

/** Each event's field names in the order they are written (the catalogue's order). */
export const FIELD_ORDER: { readonly [E in AuditEventName]: readonly string[] } =
  Object.fromEntries(
    AUDIT_EVENTS.map((name) => [name, Object.keys(AUDIT_CATALOGUE[name].fields)]),
  ) as unknown as { readonly [E in AuditEventName]: readonly string[] };

/** Keys every record has, written by the log itself; no event field may use one of them. */
export const RECORD_KEYS: readonly string[] = [
  'level',
  'time',
  'session',
  'seq',
  'server',
  'event',
  'prev',
  'hash',
];

/** Keys the log itself writes on some records only: `remote`, for a session of `up --http`. */
export const OPTIONAL_RECORD_KEYS: readonly string[] = ['remote'];
