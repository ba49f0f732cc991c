/**
 * SPEC 6.6: a `tools/call` result's `structuredContent` must match the tool's own outputSchema,
 * when it declares one (and a tool that declares one must give it, as MCP requires). Error
 * results are not checked, nor a task handle (the tool's result comes later, through
 * `tasks/result` or `tasks/get`, and is checked then), nor a stateless-era `input_required`
 * result: it is no final result but asks for the client's input, and the result of the client's
 * retry is checked. (In the session era there is no such result: one that says so is held to the
 * schema like any other, as that era's client takes it for final.) A refused result reaches the
 * client as mcp-guard's refusal instead.
 */
import { isObject } from '../../protocol/jsonrpc.js';
import { isInputRequired } from '../../protocol/result-type.js';
import { quote } from '../globs.js';
import { paramString } from '../message.js';
import type { PolicyCheck } from '../pipeline.js';
import { taskHandleId } from '../task-shapes.js';
import { PASS, type Verdict } from '../verdict.js';
import { validatorFor } from './arguments.js';
import { describeErrors } from './compiler.js';
import type { ToolSchemas } from './tool-schemas.js';

export function createOutputSchemaCheck(schemas: ToolSchemas): PolicyCheck {
  return {
    name: 'output-schema',
    direction: 'server-to-client',
    check(message, context): Verdict {
      if (
        context.direction !== 'server-to-client' ||
        message.kind !== 'response' ||
        context.request?.method !== 'tools/call'
      ) {
        return PASS;
      }
      const result = message.result;
      if (!isObject(result) || result.isError === true) return PASS;
      if (taskHandleId(result) !== undefined) return PASS;
      if (isInputRequired(context.request, result)) return PASS;
      const name = paramString(context.request.params, 'name');
      const item = name === undefined ? undefined : context.catalog.tool(name);
      if (name === undefined || item === undefined || item.outputSchema === undefined) return PASS;
      const validate = validatorFor(schemas, item, 'outputSchema', name, context);
      if (validate === undefined) return PASS;
      if (result.structuredContent === undefined) {
        return {
          action: 'deny',
          rule: 'outputSchema',
          reason: `tool ${quote(name)} declares an outputSchema but its result has no structuredContent`,
        };
      }
      if (validate(result.structuredContent)) return PASS;
      return {
        action: 'deny',
        rule: 'outputSchema',
        reason: `the structuredContent of tool ${quote(name)} does not match its outputSchema: ${describeErrors(validate.errors)}`,
      };
    },
  };
}
