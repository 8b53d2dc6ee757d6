import { ServiceError, resourceNotFound, validationError } from './errors.js';

/** Where this server pretends to be: every ARN it issues carries these. */
export interface AccountContext {
  readonly region: string;
  readonly accountId: string;
}

/** A function named by a request, split into its name and (optional) qualifier. */
export interface FunctionRef {
  readonly name: string;
  readonly qualifier?: string;
}

/** The model's pattern for FunctionName inputs (name, partial ARN or full ARN, optional qualifier). */
export const FUNCTION_NAME_PATTERN =
  '(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?';

const FULL_ARN =
  /^arn:(aws[a-zA-Z-]*):lambda:([a-z0-9-]+):(\d{12}):function:([a-zA-Z0-9-_]+)(?::(\$LATEST|[a-zA-Z0-9-_]+))?$/;
const PARTIAL_ARN = /^(\d{12}):function:([a-zA-Z0-9-_]+)(?::(\$LATEST|[a-zA-Z0-9-_]+))?$/;
const PLAIN = /^([a-zA-Z0-9-_]+)(?::(\$LATEST|[a-zA-Z0-9-_]+))?$/;

/**
 * Parses a FunctionName input the way Lambda does: `name`, `name:qualifier`,
 * `123456789012:function:name[:qualifier]` or a full ARN.
 * https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html#lambda-Invoke-request-FunctionName
 */
export function parseFunctionRef(
  input: string,
  ctx: AccountContext,
  member = 'functionName',
  maxLength = 256,
): FunctionRef {
  if (input.length > maxLength) {
    throw validationError([
      `Value '${input}' at '${member}' failed to satisfy constraint: Member must have length less than or equal to ${maxLength}`,
    ]);
  }
  let m = FULL_ARN.exec(input);
  if (m) {
    const [, , region, account, name, qualifier] = m;
    if (region !== ctx.region) {
      throw resourceNotFound(
        `Functions from '${region ?? ''}' are not reachable in this region ('${ctx.region}')`,
      );
    }
    checkAccount(account, ctx);
    return ref(name, qualifier);
  }
  m = PARTIAL_ARN.exec(input);
  if (m) {
    checkAccount(m[1], ctx);
    return ref(m[2], m[3]);
  }
  m = PLAIN.exec(input);
  if (m) {
    return ref(m[1], m[2]);
  }
  throw validationError([
    `Value '${input}' at '${member}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${FUNCTION_NAME_PATTERN}`,
  ]);
}

function checkAccount(account: string | undefined, ctx: AccountContext): void {
  if (account !== ctx.accountId) {
    throw new ServiceError(
      'AccessDeniedException',
      403,
      `The account ${account ?? ''} is not this server's account (${ctx.accountId}).`,
      'Message',
    );
  }
}

function ref(name: string | undefined, qualifier: string | undefined): FunctionRef {
  if (name === undefined) {
    throw new Error('unreachable: regex matched without a name');
  }
  return qualifier === undefined ? { name } : { name, qualifier };
}

/** `arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]` */
export function functionArn(ctx: AccountContext, name: string, qualifier?: string): string {
  const base = `arn:aws:lambda:${ctx.region}:${ctx.accountId}:function:${name}`;
  return qualifier === undefined ? base : `${base}:${qualifier}`;
}

/** `arn:aws:iam::<account>:role/...` role ARNs, as the model's pattern accepts them. */
export const ROLE_PATTERN = /^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/;
