/**
 * AddPermission's request and the policy statement Lambda builds from it: the principal in
 * IAM's forms and each optional field as a condition, in the key order Lambda prints.
 * https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html
 * https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html
 */
import { invalidParameter } from '../../core/errors.js';
import type { JsonObject, JsonValue } from '../../store/types.js';
import { Violations, readBoolean, readString, requestBody, type Body } from '../request.js';

/** The model's constraints, quoted verbatim in ValidationException messages. */
const PATTERNS = {
  statementId: '([a-zA-Z0-9-_]+)',
  action: '(lambda:[*]|lambda:[a-zA-Z]+|[*])',
  principal: '[^\\s]+',
  sourceArn:
    'arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\\-])+:([a-z]{2}(-gov)?-[a-z]+-\\d{1})?:(\\d{12})?:(.*)',
  sourceAccount: '^\\d{12}$',
  eventSourceToken: '[a-zA-Z0-9._\\-]+',
  principalOrgId: '^o-[a-z0-9]{10,32}$',
} as const;

const MATCHERS = Object.fromEntries(
  Object.entries(PATTERNS).map(([key, pattern]) => [key, new RegExp(`^(?:${pattern})$`)]),
) as Record<keyof typeof PATTERNS, RegExp>;

const MAX_STATEMENT_ID = 100;
const MAX_EVENT_SOURCE_TOKEN = 256;
const AUTH_TYPES = ['NONE', 'AWS_IAM'] as const;

export interface PermissionRequest {
  readonly statementId: string;
  readonly action: string;
  readonly principal: string;
  readonly sourceArn?: string;
  readonly sourceAccount?: string;
  readonly eventSourceToken?: string;
  readonly principalOrgId?: string;
  readonly functionUrlAuthType?: (typeof AUTH_TYPES)[number];
  readonly invokedViaFunctionUrl?: boolean;
  readonly revisionId?: string;
}

/** A statement id, as AddPermission's body or RemovePermission's path carries it. */
export function checkStatementId(statementId: string, violations: Violations): void {
  if (statementId.length < 1 || statementId.length > MAX_STATEMENT_ID) {
    violations.add(
      statementId,
      'statementId',
      statementId.length < 1
        ? 'Member must have length greater than or equal to 1'
        : `Member must have length less than or equal to ${MAX_STATEMENT_ID}`,
    );
  } else if (!MATCHERS.statementId.test(statementId)) {
    violations.add(
      statementId,
      'statementId',
      `Member must satisfy regular expression pattern: ${PATTERNS.statementId}`,
    );
  }
}

/** AddPermission's body, every model constraint checked (one ValidationException for all). */
export function readPermissionRequest(body: unknown): PermissionRequest {
  const b = requestBody(body);
  const violations = new Violations();
  const statementId = readString(b, 'StatementId');
  if (statementId === undefined) {
    violations.missing('statementId');
  } else {
    checkStatementId(statementId, violations);
  }
  const action = required(b, 'Action', 'action', violations);
  const principal = required(b, 'Principal', 'principal', violations);
  const sourceArn = optional(b, 'SourceArn', 'sourceArn', violations);
  const sourceAccount = optional(b, 'SourceAccount', 'sourceAccount', violations);
  const eventSourceToken = optional(b, 'EventSourceToken', 'eventSourceToken', violations);
  if (eventSourceToken !== undefined && eventSourceToken.length > MAX_EVENT_SOURCE_TOKEN) {
    violations.add(
      eventSourceToken,
      'eventSourceToken',
      `Member must have length less than or equal to ${MAX_EVENT_SOURCE_TOKEN}`,
    );
  }
  const principalOrgId = optional(b, 'PrincipalOrgID', 'principalOrgId', violations);
  const authType = readString(b, 'FunctionUrlAuthType');
  if (authType !== undefined && !(AUTH_TYPES as readonly string[]).includes(authType)) {
    violations.add(
      authType,
      'functionUrlAuthType',
      `Member must satisfy enum value set: [${AUTH_TYPES.join(', ')}]`,
    );
  }
  const invokedViaFunctionUrl = readBoolean(b, 'InvokedViaFunctionUrl');
  const revisionId = readString(b, 'RevisionId');
  if (
    violations.found ||
    statementId === undefined ||
    action === undefined ||
    principal === undefined
  ) {
    throw violations.error();
  }
  return {
    statementId,
    action,
    principal,
    ...(sourceArn !== undefined && { sourceArn }),
    ...(sourceAccount !== undefined && { sourceAccount }),
    ...(eventSourceToken !== undefined && { eventSourceToken }),
    ...(principalOrgId !== undefined && { principalOrgId }),
    ...(authType !== undefined && {
      functionUrlAuthType: authType as (typeof AUTH_TYPES)[number],
    }),
    ...(invokedViaFunctionUrl !== undefined && { invokedViaFunctionUrl }),
    ...(revisionId !== undefined && { revisionId }),
  };
}

type PatternMember = Exclude<keyof typeof PATTERNS, 'statementId'>;

function required(
  b: Body,
  member: string,
  path: PatternMember,
  violations: Violations,
): string | undefined {
  const value = optional(b, member, path, violations);
  if (value === undefined) {
    violations.missing(path);
  }
  return value;
}

function optional(
  b: Body,
  member: string,
  path: PatternMember,
  violations: Violations,
): string | undefined {
  const value = readString(b, member);
  if (value !== undefined && !MATCHERS[path].test(value)) {
    violations.add(
      value,
      path,
      `Member must satisfy regular expression pattern: ${PATTERNS[path]}`,
    );
  }
  return value;
}

const SERVICE_PRINCIPAL = /^[a-z0-9][a-z0-9.-]*\.amazon(aws)?\.com(\.cn)?$/;
const IAM_ARN = /^arn:aws[a-zA-Z-]*:iam::\d{12}:(root|user\/.+|role\/.+|assumed-role\/.+)$/;

/**
 * The Principal element: `*`, a service (`s3.amazonaws.com`), an account id (its root user) or
 * an IAM ARN. Anything else Lambda refuses.
 */
function principalElement(principal: string): JsonValue {
  if (principal === '*') {
    return '*';
  }
  if (/^\d{12}$/.test(principal)) {
    return { AWS: `arn:aws:iam::${principal}:root` };
  }
  if (IAM_ARN.test(principal)) {
    return { AWS: principal };
  }
  if (SERVICE_PRINCIPAL.test(principal)) {
    return { Service: principal };
  }
  throw invalidParameter(
    'The provided principal was invalid. Please check the principal and try again.',
  );
}

/**
 * The statement Lambda stores: Sid, Effect, Principal, Action, Resource, then Condition with
 * StringEquals (URL auth type, organization, source account, event source token), ArnLike
 * (source ARN) and Bool (invoked via a function URL) as the request filled them in.
 */
export function buildStatement(request: PermissionRequest, resourceArn: string): JsonObject {
  const stringEquals: Record<string, string> = {};
  if (request.functionUrlAuthType !== undefined) {
    stringEquals['lambda:FunctionUrlAuthType'] = request.functionUrlAuthType;
  }
  if (request.principalOrgId !== undefined) {
    stringEquals['aws:PrincipalOrgID'] = request.principalOrgId;
  }
  if (request.sourceAccount !== undefined) {
    stringEquals['AWS:SourceAccount'] = request.sourceAccount;
  }
  if (request.eventSourceToken !== undefined) {
    stringEquals['lambda:EventSourceToken'] = request.eventSourceToken;
  }
  const condition: Record<string, JsonObject> = {};
  if (Object.keys(stringEquals).length > 0) {
    condition.StringEquals = stringEquals;
  }
  if (request.sourceArn !== undefined) {
    condition.ArnLike = { 'AWS:SourceArn': request.sourceArn };
  }
  if (request.invokedViaFunctionUrl === true) {
    condition.Bool = { 'lambda:InvokedViaFunctionUrl': 'true' };
  }
  return {
    Sid: request.statementId,
    Effect: 'Allow',
    Principal: principalElement(request.principal),
    Action: request.action,
    Resource: resourceArn,
    ...(Object.keys(condition).length > 0 && { Condition: condition }),
  };
}

/** The policy document GetPolicy returns (as a string) and whose size is limited. */
export function policyDocument(statements: readonly JsonObject[]): string {
  return JSON.stringify({ Version: '2012-10-17', Id: 'default', Statement: statements });
}
