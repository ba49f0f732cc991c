/**
 * Reading one audit line: is it a record, and is it intact? Pure; the chain between records is
 * verify.ts's business.
 */
import { HASH_HEAD, HASH_SUFFIX_LENGTH, HASH_TAIL, hashPrefix } from './chain.js';

/** Why: the fields the chain is made of, common to every record. */
export interface ChainFields {
  session: string;
  seq: number;
  prev: string;
  hash: string;
}

/** Why: a line is a record (maybe edited), or junk; each with what a report needs to say. */
export type LineCheck =
  | {
      kind: 'record';
      fields: ChainFields;
      record: Record<string, unknown>;
      intact: boolean;
      why?: string;
    }
  | { kind: 'unparseable' | 'not-a-record'; message: string; session?: string; seq?: number };

const HEX64 = /^[0-9a-f]{64}$/;
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Why: parsing and the line's own hash are checked once, for verify and display alike. */
export function checkLine(bytes: Buffer): LineCheck {
  if (bytes.length === 0) return { kind: 'unparseable', message: 'empty line' };
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    return { kind: 'unparseable', message: 'not valid UTF-8', ...sniff(bytes.toString('latin1')) };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: 'unparseable', message: 'not JSON (a cut or corrupted line)', ...sniff(text) };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { kind: 'not-a-record', message: 'JSON, but not an audit record' };
  }
  const record = value as Record<string, unknown>;
  const fields = chainFields(record);
  if (typeof fields === 'string') {
    return { kind: 'not-a-record', message: `JSON, but not an audit record (${fields})` };
  }
  if (!text.endsWith(`${HASH_HEAD}${fields.hash}${HASH_TAIL}`)) {
    return {
      kind: 'record',
      fields,
      record,
      intact: false,
      why: 'the line was rewritten: its hash is not its last member',
    };
  }
  const computed = hashPrefix(bytes.subarray(0, bytes.length - HASH_SUFFIX_LENGTH));
  return computed === fields.hash
    ? { kind: 'record', fields, record, intact: true }
    : {
        kind: 'record',
        fields,
        record,
        intact: false,
        why: 'the record was edited: its content does not match its hash',
      };
}

function chainFields(record: Record<string, unknown>): ChainFields | string {
  const { session, seq, prev, hash } = record;
  if (typeof session !== 'string' || session === '') return 'no session';
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) return 'no valid seq';
  if (typeof prev !== 'string' || !HEX64.test(prev)) return 'no valid prev';
  if (typeof hash !== 'string' || !HEX64.test(hash)) return 'no valid hash';
  return { session, seq, prev, hash };
}

/** What a damaged line still tells: the session and seq, written near its start. */
function sniff(text: string): { session?: string; seq?: number } {
  const session = /"session":"([^"\\]+)"/.exec(text)?.[1];
  const seq = /"seq":(\d{1,15})[,}]/.exec(text)?.[1];
  return {
    ...(session === undefined ? {} : { session }),
    ...(seq === undefined ? {} : { seq: Number(seq) }),
  };
}
