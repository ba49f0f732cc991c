/**
 * Holding a written record against the catalogue: tests run it on every record that real runs
 * write, so a field the catalogue lacks fails them.
 */
import { AUDIT_CATALOGUE, type FieldDoc } from './catalogue.js';
import { OPTIONAL_RECORD_KEYS, RECORD_KEYS } from './record-shape.js';
import type { AuditEventName } from './events.js';

/** Why: an unknown event or field, a missing field or an unexpected level is drift; returns each. */
export function checkAuditRecord(record: Record<string, unknown>): string[] {
  const name = record.event;
  if (typeof name !== 'string' || !Object.hasOwn(AUDIT_CATALOGUE, name)) {
    return [`unknown event ${JSON.stringify(name)}`];
  }
  const doc = AUDIT_CATALOGUE[name as AuditEventName];
  const fields: Readonly<Record<string, FieldDoc>> = doc.fields;
  const problems: string[] = [];
  for (const key of RECORD_KEYS) {
    if (!(key in record)) problems.push(`${name}: no ${key}`);
  }
  for (const key of Object.keys(record)) {
    const own = RECORD_KEYS.includes(key) || OPTIONAL_RECORD_KEYS.includes(key);
    if (!own && !Object.hasOwn(fields, key)) {
      problems.push(`${name}: field ${key} is not in the catalogue`);
    }
  }
  for (const [key, field] of Object.entries(fields)) {
    if (field.optional !== true && !(key in record)) problems.push(`${name}: no field ${key}`);
  }
  if (record.level !== doc.level && doc.levelNote === undefined) {
    problems.push(`${name}: level ${String(record.level)}, the catalogue says ${doc.level}`);
  }
  return problems;
}
