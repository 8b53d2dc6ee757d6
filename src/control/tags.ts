/**
 * Tag rules and taggable-resource ARNs.
 * https://docs.aws.amazon.com/lambda/latest/dg/tagging.html
 */
import { functionArn, parseFunctionRef, type AccountContext } from '../core/arn.js';
import { invalidParameter, resourceNotFound, validationError } from '../core/errors.js';
import type { TaggedResource } from '../store/index.js';
import {
  MATCHERS,
  MAX_TAGS,
  MAX_TAG_KEY_LENGTH,
  MAX_TAG_VALUE_LENGTH,
  PATTERNS,
} from './limits.js';

export const TOO_MANY_TAGS = 'Number of tags exceeds resource tag limit.';

/**
 * The resource a Tag/Untag/ListTags call names. Only unqualified function ARNs carry tags
 * here; event source mappings and code signing configs do not exist yet, so their ARNs name
 * nothing.
 */
export function taggedResource(
  resourceArn: string,
  ctx: AccountContext,
): { readonly resource: TaggedResource; readonly arn: string } {
  if (resourceArn.length > 256 || !MATCHERS.taggableResource.test(resourceArn)) {
    throw validationError([
      `Value '${resourceArn}' at 'resource' failed to satisfy constraint: Member must satisfy regular expression pattern: ${PATTERNS.taggableResource}`,
    ]);
  }
  if (!/:function:/.test(resourceArn)) {
    throw resourceNotFound('The resource you requested does not exist.');
  }
  const ref = parseFunctionRef(resourceArn, ctx, 'resource', 256);
  if (ref.qualifier !== undefined) {
    throw invalidParameter(
      'Tags on function aliases and versions are not supported. Please specify a function ARN.',
    );
  }
  return { resource: { kind: 'function', id: ref.name }, arn: functionArn(ctx, ref.name) };
}

/** Checks tags as given to CreateFunction or TagResource. */
export function checkTags(tags: Readonly<Record<string, string>>): void {
  const entries = Object.entries(tags);
  if (entries.length > MAX_TAGS) {
    throw invalidParameter(TOO_MANY_TAGS);
  }
  for (const [key, value] of entries) {
    if (key.length < 1 || key.length > MAX_TAG_KEY_LENGTH) {
      throw invalidParameter(
        `Tag key '${key}' must be between 1 and ${String(MAX_TAG_KEY_LENGTH)} characters long.`,
      );
    }
    if (value.length > MAX_TAG_VALUE_LENGTH) {
      throw invalidParameter(
        `Tag value for key '${key}' must be at most ${String(MAX_TAG_VALUE_LENGTH)} characters long.`,
      );
    }
    if (!MATCHERS.tagCharacters.test(key) || !MATCHERS.tagCharacters.test(value)) {
      throw invalidParameter(
        `Tag '${key}' may contain only letters, numbers, spaces and the characters _ . : / = + - @.`,
      );
    }
    if (key.toLowerCase().startsWith('aws:')) {
      throw invalidParameter(`Tag keys beginning with 'aws:' are reserved for AWS use: '${key}'.`);
    }
  }
}

/** Checks the keys given to UntagResource. */
export function checkTagKeys(keys: readonly string[]): void {
  if (keys.length === 0) {
    throw validationError([
      "Value null at 'tagKeys' failed to satisfy constraint: Member must not be null",
    ]);
  }
  for (const key of keys) {
    if (key.length < 1 || key.length > MAX_TAG_KEY_LENGTH) {
      throw invalidParameter(
        `Tag key '${key}' must be between 1 and ${String(MAX_TAG_KEY_LENGTH)} characters long.`,
      );
    }
  }
}
