/**
 * SPEC 6.4: a `tools/call`'s arguments must match the tool's own advertised inputSchema. A tool
 * mcp-guard has not seen listed is not validated (the access check decides whether it may be
 * called at all); a schema that does not compile is audited once (`policy.schema`) and its
 * calls pass unvalidated.
 */
import { policySchema } from '../../audit/event-constructors.js';
import { isObject } from '../../protocol/jsonrpc.js';
import { quote } from '../globs.js';
import { paramString } from '../message.js';
import type { CheckContext, PolicyCheck } from '../pipeline.js';
import { PASS, type Verdict } from '../verdict.js';
import { describeErrors } from './compiler.js';
import type { SchemaKey, ToolSchemas } from './tool-schemas.js';

export function createArgumentsCheck(schemas: ToolSchemas): PolicyCheck {
  return {
    name: 'arguments',
    direction: 'client-to-server',
    check(message, context): Verdict {
      if (context.direction === 'server-to-client') return PASS;
      if (message.kind !== 'request' || message.method !== 'tools/call') return PASS;
      const name = paramString(message.params, 'name');
      const item = name === undefined ? undefined : context.catalog.tool(name);
      if (name === undefined || item === undefined) return PASS;
      const validate = validatorFor(schemas, item, 'inputSchema', name, context);
      if (validate === undefined) return PASS;
      const params = message.params;
      const args = isObject(params) && params.arguments !== undefined ? params.arguments : {};
      if (validate(args)) return PASS;
      return {
        action: 'deny',
        rule: 'inputSchema',
        reason: `the arguments do not match the inputSchema of tool ${quote(name)}: ${describeErrors(validate.errors)}`,
      };
    },
  };
}

/** The tool's validator; a schema that does not compile is recorded (once) and yields none. */
export function validatorFor(
  schemas: ToolSchemas,
  item: Record<string, unknown>,
  key: SchemaKey,
  tool: string,
  context: CheckContext,
) {
  const lookup = schemas.get(item, key);
  if (lookup === undefined) return undefined;
  if (lookup.compiled.ok) return lookup.compiled.validate;
  if (lookup.fresh) {
    context.record?.(
      policySchema({ tool, schema: key, reason: lookup.compiled.reason, effect: 'not validated' }),
    );
  }
  return undefined;
}
