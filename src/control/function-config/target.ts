/**
 * The function and qualifier a configuration request names: the FunctionName label (name,
 * partial ARN or ARN, possibly qualified) and the Qualifier query parameter, which must agree.
 */
import { parseFunctionRef, type AccountContext } from '../../core/arn.js';
import { ServiceError, invalidParameter, validationError } from '../../core/errors.js';
import type { ConfigResolver } from './types.js';

export interface ConfigTarget {
  readonly name: string;
  /** From the ARN suffix or the Qualifier parameter; absent for the unqualified function. */
  readonly qualifier?: string;
}

export function configTarget(
  functionName: string,
  qualifierParam: string | undefined,
  ctx: AccountContext,
  maxLength: number,
): ConfigTarget {
  const ref = parseFunctionRef(functionName, ctx, 'functionName', maxLength);
  const param = qualifierParam === '' ? undefined : qualifierParam;
  if (ref.qualifier !== undefined && param !== undefined && ref.qualifier !== param) {
    throw invalidParameter(
      'The derived qualifier from the function name does not match the specified qualifier.',
    );
  }
  const qualifier = ref.qualifier ?? param;
  return qualifier === undefined ? { name: ref.name } : { name: ref.name, qualifier };
}

/** Whether a function (and qualifier) exists, asking the registry's resolver. */
export async function functionExists(
  resolver: ConfigResolver,
  name: string,
  qualifier: string | undefined,
): Promise<boolean> {
  try {
    await resolver.resolve(name, qualifier);
    return true;
  } catch (error) {
    if (error instanceof ServiceError && error.code === 'ResourceNotFoundException') {
      return false;
    }
    throw error;
  }
}

/** A published version number (as opposed to an alias name). */
export function isVersionNumber(qualifier: string): boolean {
  return /^[0-9]+$/.test(qualifier);
}

/** A Qualifier member's model constraint. */
export interface QualifierRule {
  readonly pattern: string;
  readonly matcher: RegExp;
}

/** `$LATEST`, a version or an alias (event invoke configs, policies). */
export const ANY_QUALIFIER: QualifierRule = {
  pattern: '(|[a-zA-Z0-9$_-]+)',
  matcher: /^[a-zA-Z0-9$_-]*$/,
};

/** Function URLs belong to the function or an alias: neither `$LATEST` nor a version. */
export const ALIAS_QUALIFIER: QualifierRule = {
  pattern: '((?!^\\d+$)^[0-9a-zA-Z-_]+$)',
  matcher: /^(?!\d+$)[0-9a-zA-Z_-]+$/,
};

const MAX_QUALIFIER_LENGTH = 128;

export function checkQualifier(qualifier: string | undefined, rule: QualifierRule): void {
  if (qualifier === undefined) {
    return;
  }
  if (qualifier.length > MAX_QUALIFIER_LENGTH) {
    throw validationError([
      `Value '${qualifier}' at 'qualifier' failed to satisfy constraint: Member must have length less than or equal to ${MAX_QUALIFIER_LENGTH}`,
    ]);
  }
  if (!rule.matcher.test(qualifier)) {
    throw validationError([
      `Value '${qualifier}' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: ${rule.pattern}`,
    ]);
  }
}
