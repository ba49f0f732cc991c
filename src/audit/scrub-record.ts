/**
 * What keeps secrets out of a record (SPEC 7): every string of an event's fields — keys and
 * values of a body included — passes through the server's output redaction (`output.redact`, the
 * same as the model's output gets) and has the server's environment values masked
 * (env-secrets.ts). A `child.stderr` line is read as part of the server's stderr stream, so a
 * value split across lines is found too. The redaction itself lives with the policy, above this
 * layer: the caller hands it in.
 */
import { remembering } from '../remembered.js';
import { createEnvScrubber, type EnvScrubber, type EnvSecret } from './env-secrets.js';
import type { AuditEvent } from './events.js';

/** Why: what the log must keep out of one server's records; the cli builds it from the manifest. */
export interface ServerSecrets {
  /** The environment values the server gets, or that its command line was built from. */
  env: readonly EnvSecret[];
  /** The server's `output.redact` on a text, if it has any. */
  redactText?: ((text: string) => string) | undefined;
  /** The same on a message body, the way output is redacted (split values, base64 payloads). */
  redactValue?: ((value: unknown) => unknown) | undefined;
}

/** Why: the log looks up each server's secrets once, when it first records for it. */
export type SecretsLookup = (server: string) => ServerSecrets | undefined;

/**
 * Texts up to this long have their scrubbed form remembered: the relay's hot records repeat the
 * same few (method and tool names, keys), and scrubbing one is a pure function of it.
 */
const REMEMBERED_LENGTH = 256;
/** How many are remembered before the memory starts over (bounded whatever a peer sends). */
const REMEMBERED_COUNT = 512;

/** Why: one server's scrubbing, with the state of its stderr stream. */
export class RecordScrubber {
  readonly #env: EnvScrubber | undefined;
  readonly #redactText: ((text: string) => string) | undefined;
  readonly #redactValue: ((value: unknown) => unknown) | undefined;
  /** The scrubbed form of a text (not of a stderr line, which is read as a stream). */
  readonly #text = remembering(
    (text) => this.#scrubText(text),
    REMEMBERED_LENGTH,
    REMEMBERED_COUNT,
  );
  #carry = '';

  constructor(secrets: ServerSecrets) {
    this.#env = createEnvScrubber(secrets.env);
    this.#redactText = secrets.redactText;
    this.#redactValue = secrets.redactValue;
  }

  /** Nothing to look for: records pass untouched (and unscanned). */
  get idle(): boolean {
    return this.#env === undefined && this.#redactText === undefined;
  }

  /** The event with its fields scrubbed (the same event when nothing changed). */
  scrub(event: AuditEvent): AuditEvent {
    if (this.idle) return event;
    const fields = event.fields as Readonly<Record<string, unknown>>;
    let out: Record<string, unknown> | undefined;
    for (const key of Object.keys(fields)) {
      const value = fields[key];
      // Numbers, booleans and absent fields hold no text.
      if (typeof value !== 'string' && (typeof value !== 'object' || value === null)) continue;
      const next =
        event.name === 'child.stderr' && key === 'text' && typeof value === 'string'
          ? this.#stderrLine(value)
          : key === 'body'
            ? this.#body(value)
            : this.#value(value);
      if (next !== value) {
        out ??= { ...fields };
        out[key] = next;
      }
    }
    return out === undefined ? event : ({ ...event, fields: out } as AuditEvent);
  }

  #scrubText(text: string): string {
    const redacted = this.#redactText === undefined ? text : this.#redactText(text);
    return this.#env === undefined ? redacted : this.#env.text(redacted);
  }

  #stderrLine(line: string): string {
    if (this.#env === undefined) return this.#text(line);
    const { text, carry } = this.#env.stream(this.#carry, line);
    this.#carry = carry;
    return this.#redactText === undefined ? text : this.#redactText(text);
  }

  #body(value: unknown): unknown {
    const redacted = this.#redactValue === undefined ? value : this.#redactValue(value);
    return this.#value(redacted);
  }

  /** Every string of a value, object keys included (copy-on-write). */
  #value(value: unknown): unknown {
    if (typeof value === 'string') return this.#text(value);
    if (Array.isArray(value)) {
      let out: unknown[] | undefined;
      value.forEach((item: unknown, i) => {
        const next = this.#value(item);
        if (next !== item) {
          out ??= value.slice();
          out[i] = next;
        }
      });
      return out ?? value;
    }
    if (typeof value !== 'object' || value === null) return value;
    let changed = false;
    const entries: [string, unknown][] = [];
    for (const [key, item] of Object.entries(value)) {
      const name = this.#text(key);
      const next = this.#value(item);
      if (name !== key || next !== item) changed = true;
      entries.push([name, next]);
    }
    return changed ? Object.fromEntries(entries) : value;
  }
}
