/** The `time` member of a record, shared by pino's records and the lean ones. */

let lastMillisecond = -1;
let lastTimestamp = '';

/**
 * Why: formatting a new Date for every record was a measurable share of the relay's CPU; under
 * load many records share a millisecond. Returns `,"time":"<ISO 8601>"` (pino's timestamp shape).
 */
export function isoTimeOncePerMillisecond(): string {
  const now = Date.now();
  if (now !== lastMillisecond) {
    lastMillisecond = now;
    lastTimestamp = `,"time":"${new Date(now).toISOString()}"`;
  }
  return lastTimestamp;
}
