/**
 * Which function (and version) a request names: a name, a partial ARN or an ARN, optionally
 * qualified, plus the Qualifier parameter of the Get/Delete operations.
 * https://docs.aws.amazon.com/lambda/latest/api/API_GetFunction.html#lambda-GetFunction-request-FunctionName
 */
import { parseFunctionRef, type AccountContext } from '../core/arn.js';
import { invalidParameter } from '../core/errors.js';
import { LATEST } from '../store/index.js';
import {
  MAX_FUNCTION_NAME_INPUT_LENGTH,
  MAX_FUNCTION_NAME_LENGTH,
  MAX_NAMESPACED_FUNCTION_NAME_LENGTH,
} from './limits.js';
import { checkQualifier } from './version-resolver.js';

const FUNCTION_ONLY =
  'This operation is permitted on Lambda functions only. Aliases and versions do not support this operation. Please specify either a function name or an unqualified function ARN.';

/** A CreateFunction name: a plain name of at most 64 characters (or an ARN naming one). */
export function newFunctionName(input: string, ctx: AccountContext): string {
  const ref = parseFunctionRef(input, ctx, 'functionName', MAX_FUNCTION_NAME_INPUT_LENGTH);
  if (ref.name.length > MAX_FUNCTION_NAME_LENGTH) {
    // AWS answers this one as InvalidParameterValueException in the validation wording [aws-rec].
    throw invalidParameter(
      `1 validation error detected: Value '${input}' at 'functionName' failed to satisfy constraint: Member must have length less than or equal to ${String(MAX_FUNCTION_NAME_LENGTH)}`,
    );
  }
  if (ref.qualifier !== undefined) {
    throw invalidParameter(
      `A function is created unqualified: remove the qualifier from ${input}.`,
    );
  }
  return ref.name;
}

/** The function an Update* call names, which must be unqualified ($LATEST is what changes). */
export function unqualifiedFunctionName(input: string, ctx: AccountContext): string {
  const ref = parseFunctionRef(input, ctx, 'functionName', MAX_FUNCTION_NAME_INPUT_LENGTH);
  if (ref.qualifier !== undefined) {
    throw invalidParameter(FUNCTION_ONLY);
  }
  return ref.name;
}

export interface VersionTarget {
  readonly name: string;
  /** The qualifier as named (for ARNs in answers and errors). */
  readonly qualifier?: string;
  /** The stored version it names; undefined for an alias. */
  readonly version?: string;
}

/**
 * The version a Get/Delete call names, from the qualifier in the name or the Qualifier
 * parameter, which must agree.
 */
export function versionTarget(
  functionName: string,
  qualifierParam: string | undefined,
  ctx: AccountContext,
): VersionTarget {
  const ref = parseFunctionRef(
    functionName,
    ctx,
    'functionName',
    MAX_NAMESPACED_FUNCTION_NAME_LENGTH,
  );
  const param = qualifierParam === '' ? undefined : qualifierParam;
  if (param !== undefined) {
    checkQualifier(param);
  }
  if (ref.qualifier !== undefined && param !== undefined && ref.qualifier !== param) {
    throw invalidParameter(
      'The derived qualifier from the function name does not match the specified qualifier.',
    );
  }
  const qualifier = ref.qualifier ?? param;
  if (qualifier === undefined) {
    return { name: ref.name, version: LATEST };
  }
  // Aliases arrive with published versions; until then a non-numeric qualifier names nothing.
  const isVersion = qualifier === LATEST || /^[0-9]+$/.test(qualifier);
  return { name: ref.name, qualifier, ...(isVersion && { version: qualifier }) };
}
