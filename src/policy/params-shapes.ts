/**
 * The shape of `params` every client→server method of MCP 2024-11-05 … 2026-07-28 requires, as
 * far as anything reads it: the policy (a tool's `name`, a resource's `uri`, a prompt's
 * arguments) and the server, whose own code may take an array, a number or an object for the
 * string it expected (`tools[name]` turns `["secret"]` into `"secret"`). A member the schema of
 * MCP types is held to that type; members MCP does not define are left alone.
 * Pure and import-free: data and a few combinators.
 */

/** Why: a problem with a value, in words (`params.name must be a string, not an array`). */
export type ShapeCheck = (value: unknown, at: string) => string | undefined;

/** Why: a value's kind in words for a reason (`an array`, `a number`, `missing`), never the value. */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'missing';
  if (Array.isArray(value)) return 'an array';
  return KINDS[typeof value] ?? typeof value;
}

const KINDS: Readonly<Record<string, string>> = {
  object: 'an object',
  number: 'a number',
  boolean: 'a boolean',
  string: 'a string',
};

const expect =
  (what: string, test: (value: unknown) => boolean): ShapeCheck =>
  (value, at) =>
    test(value) ? undefined : `${at} must be ${what}, not ${kindOf(value)}`;

export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const str = expect('a string', (v) => typeof v === 'string');
export const bool = expect('a boolean', (v) => typeof v === 'boolean');
export const num = expect('a finite number', (v) => typeof v === 'number' && Number.isFinite(v));
/** A request id or a progress token: a string or an integer. */
export const token = expect(
  'a string or an integer',
  (v) => typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v)),
);
export const anyObject = expect('an object', isPlainObject);

/** An object whose named members have these types (`required` must be there). */
export function obj(
  required: Readonly<Record<string, ShapeCheck>>,
  optional: Readonly<Record<string, ShapeCheck>> = {},
): ShapeCheck {
  const requiredMembers = Object.entries(required);
  const optionalMembers = Object.entries(optional);
  return (value, at) => {
    if (!isPlainObject(value)) return anyObject(value, at);
    for (const [key, check] of requiredMembers) {
      if (!Object.hasOwn(value, key)) return `${at}.${key} is required`;
      const problem = check(value[key], `${at}.${key}`);
      if (problem !== undefined) return problem;
    }
    for (const [key, check] of optionalMembers) {
      if (!Object.hasOwn(value, key)) continue;
      const problem = check(value[key], `${at}.${key}`);
      if (problem !== undefined) return problem;
    }
    return undefined;
  };
}

/** An object every member of which has this type. */
export function recordOf(item: ShapeCheck): ShapeCheck {
  return (value, at) => {
    if (!isPlainObject(value)) return anyObject(value, at);
    for (const key of Object.keys(value)) {
      const problem = item(value[key], `${at}[${JSON.stringify(key)}]`);
      if (problem !== undefined) return problem;
    }
    return undefined;
  };
}

export function arrayOf(item: ShapeCheck): ShapeCheck {
  return (value, at) => {
    if (!Array.isArray(value)) return `${at} must be an array, not ${kindOf(value)}`;
    for (let i = 0; i < value.length; i++) {
      const problem = item(value[i], `${at}[${i}]`);
      if (problem !== undefined) return problem;
    }
    return undefined;
  };
}

/** `_meta` of any request: the progress token, and the stateless era's per-request facts. */
const META = obj(
  {},
  {
    progressToken: token,
    'io.modelcontextprotocol/protocolVersion': str,
    'io.modelcontextprotocol/clientCapabilities': anyObject,
    'io.modelcontextprotocol/clientInfo': obj({ name: str, version: str }),
    'io.modelcontextprotocol/logLevel': str,
  },
);

/** What every request may carry, whatever its method. */
const COMMON = { _meta: META } as const;

/** Params of a method: required and optional members (plus `_meta`). */
const params = (
  required: Readonly<Record<string, ShapeCheck>> = {},
  optional: Readonly<Record<string, ShapeCheck>> = {},
): ShapeCheck => obj(required, { ...COMMON, ...optional });

const paginated = params({}, { cursor: str });

/** A completion's subject: a prompt by name or a resource (template) by URI. */
const completionRef: ShapeCheck = (value, at) => {
  const problem = obj({ type: str })(value, at);
  if (problem !== undefined) return problem;
  const ref = value as Record<string, unknown>;
  switch (ref.type) {
    case 'ref/prompt':
      return obj({ name: str })(ref, at);
    case 'ref/resource':
      return obj({ uri: str })(ref, at);
    default:
      return `${at}.type must be "ref/prompt" or "ref/resource"`;
  }
};

/** The stateless era's retry of a request the server answered with `input_required`. */
const RETRY = { inputResponses: anyObject, requestState: str } as const;

/**
 * Every client→server request method, with the params it requires. A method whose params are
 * optional accepts none at all.
 */
export const REQUEST_PARAMS: Readonly<Record<string, { check: ShapeCheck; optional: boolean }>> = {
  initialize: {
    check: params({
      protocolVersion: str,
      capabilities: anyObject,
      clientInfo: obj({ name: str, version: str }, { title: str }),
    }),
    optional: false,
  },
  ping: { check: params(), optional: true },
  'server/discover': { check: params(), optional: true },
  'tools/list': { check: paginated, optional: true },
  'tools/call': {
    check: params({ name: str }, { arguments: anyObject, task: anyObject, ...RETRY }),
    optional: false,
  },
  'prompts/list': { check: paginated, optional: true },
  'prompts/get': {
    check: params({ name: str }, { arguments: recordOf(str), ...RETRY }),
    optional: false,
  },
  'resources/list': { check: paginated, optional: true },
  'resources/templates/list': { check: paginated, optional: true },
  'resources/read': { check: params({ uri: str }, RETRY), optional: false },
  'resources/subscribe': { check: params({ uri: str }), optional: false },
  'resources/unsubscribe': { check: params({ uri: str }), optional: false },
  'logging/setLevel': { check: params({ level: str }), optional: false },
  'completion/complete': {
    check: params(
      { ref: completionRef, argument: obj({ name: str, value: str }) },
      { context: obj({}, { arguments: recordOf(str) }) },
    ),
    optional: false,
  },
  'tasks/get': { check: params({ taskId: str }), optional: false },
  'tasks/result': { check: params({ taskId: str }), optional: false },
  'tasks/cancel': { check: params({ taskId: str }), optional: false },
  'tasks/update': { check: params({ taskId: str, inputResponses: anyObject }), optional: false },
  'tasks/list': { check: paginated, optional: true },
  'subscriptions/listen': {
    check: params({
      notifications: obj(
        {},
        {
          toolsListChanged: bool,
          promptsListChanged: bool,
          resourcesListChanged: bool,
          resourceSubscriptions: arrayOf(str),
          taskIds: arrayOf(str),
        },
      ),
    }),
    optional: false,
  },
};

/** Client notifications whose params mcp-guard or the server acts on. */
export const NOTIFICATION_PARAMS: Readonly<
  Record<string, { check: ShapeCheck; optional: boolean }>
> = {
  'notifications/initialized': { check: params(), optional: true },
  'notifications/cancelled': {
    check: params({}, { requestId: token, reason: str }),
    optional: false,
  },
  'notifications/progress': {
    check: params({ progressToken: token, progress: num }, { total: num, message: str }),
    optional: false,
  },
  'notifications/roots/list_changed': { check: params(), optional: true },
};
