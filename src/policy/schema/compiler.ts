/**
 * JSON Schemas that servers advertise (a tool's inputSchema and outputSchema), compiled with ajv
 * the way the MCP SDK compiles them (`strict: false`, formats checked). ajv is not on mcp-guard's
 * startup path, nor in an idle session's memory: it is required when a schema is first used (see
 * docs/policy.md for the measurements behind that choice). A schema that does not compile is
 * reported, never thrown.
 */
import { createRequire } from 'node:module';

export interface SchemaError {
  instancePath: string;
  message?: string;
}

export interface Validate {
  (data: unknown): boolean;
  errors?: SchemaError[] | null;
}

export type Compiled = { ok: true; validate: Validate } | { ok: false; reason: string };

interface AjvInstance {
  compile(schema: unknown): Validate;
  removeSchema(schema: unknown): unknown;
}

export interface SchemaCompiler {
  compile(schema: unknown): Compiled;
}

/** Why: one ajv per process; servers' schemas never touch each other (no ids are registered). */
export function createSchemaCompiler(): SchemaCompiler {
  let ajv: AjvInstance | undefined;
  const instance = (): AjvInstance => {
    ajv ??= loadAjv();
    return ajv;
  };
  return {
    compile(schema) {
      if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
        return { ok: false, reason: 'the schema is not an object' };
      }
      try {
        const ajv = instance();
        const validate = ajv.compile(schema);
        // ajv keeps every compiled schema keyed by its object; ours are cached per tool instead.
        ajv.removeSchema(schema);
        return { ok: true, validate };
      } catch (err) {
        return { ok: false, reason: err instanceof Error ? err.message : String(err) };
      }
    },
  };
}

function loadAjv(): AjvInstance {
  const require = createRequire(import.meta.url);
  const { default: Ajv } = require('ajv') as {
    default: new (options: Record<string, unknown>) => AjvInstance;
  };
  const { default: addFormats } = require('ajv-formats') as {
    default: (ajv: AjvInstance) => void;
  };
  const ajv = new Ajv({
    strict: false,
    allErrors: true,
    validateSchema: false,
    addUsedSchema: false,
    logger: false,
  });
  addFormats(ajv);
  return ajv;
}

/** The first few errors as one sentence for a refusal. */
export function describeErrors(errors: readonly SchemaError[] | null | undefined): string {
  const list = errors ?? [];
  const shown = list
    .slice(0, 5)
    .map(
      (error) =>
        `${error.instancePath === '' ? '(root)' : error.instancePath} ${error.message ?? 'is invalid'}`,
    );
  const more = list.length > 5 ? `; and ${list.length - 5} more` : '';
  return `${shown.join('; ')}${more}`;
}
