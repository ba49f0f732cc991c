/**
 * Each tool's compiled inputSchema and outputSchema, compiled once per advertised tool object:
 * a new walk of the tool list brings new objects, so a changed schema is compiled afresh and the
 * old one is forgotten with its object. Identical schemas (the same list walked again) reuse
 * their compiled form.
 */
import type { CatalogItem } from '../catalog.js';
import type { Compiled, SchemaCompiler } from './compiler.js';

export type SchemaKey = 'inputSchema' | 'outputSchema';

export interface Lookup {
  compiled: Compiled;
  /** True the first time this schema text was compiled (so a failure is reported once). */
  fresh: boolean;
}

const BY_TEXT_LIMIT = 256;

export class ToolSchemas {
  readonly #compiler: SchemaCompiler;
  readonly #byItem: Record<SchemaKey, WeakMap<CatalogItem, Compiled>> = {
    inputSchema: new WeakMap(),
    outputSchema: new WeakMap(),
  };
  readonly #byText = new Map<string, Compiled>();

  constructor(compiler: SchemaCompiler) {
    this.#compiler = compiler;
  }

  /** The tool's compiled schema, or undefined when it advertises none. */
  get(item: CatalogItem, key: SchemaKey): Lookup | undefined {
    const cached = this.#byItem[key].get(item);
    if (cached !== undefined) return { compiled: cached, fresh: false };
    const schema = item[key];
    if (schema === undefined) return undefined;
    const text = JSON.stringify(schema);
    let compiled = this.#byText.get(text);
    const fresh = compiled === undefined;
    if (compiled === undefined) {
      compiled = this.#compiler.compile(schema);
      if (this.#byText.size >= BY_TEXT_LIMIT) this.#byText.clear();
      this.#byText.set(text, compiled);
    }
    this.#byItem[key].set(item, compiled);
    return { compiled, fresh };
  }
}
