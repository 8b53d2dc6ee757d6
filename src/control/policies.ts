/**
 * Resource-based policies per qualifier (the function, a version or an alias): AddPermission,
 * GetPolicy and RemovePermission with AWS's validation, statement rendering, texts and the
 * 20 KB limit.
 * https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html
 * https://docs.aws.amazon.com/lambda/latest/api/API_RemovePermission.html
 *
 * DIVERGENCE: on AWS a policy's RevisionId is the RevisionId of the function version or alias it
 * belongs to, and adding or removing a permission changes that RevisionId. Here the policy has
 * its own RevisionId (GetPolicy's, new on every change), since the registry owns the functions'.
 * A RevisionId that does not match it fails with AWS's text.
 */
import { randomUUID } from 'node:crypto';
import { functionArn } from '../core/arn.js';
import {
  ServiceError,
  invalidParameter,
  preconditionFailed,
  resourceConflict,
  resourceNotFound,
} from '../core/errors.js';
import type { PolicyRecord } from '../store/sqlite/function-config-tables.js';
import {
  buildStatement,
  checkStatementId,
  policyDocument,
  readPermissionRequest,
} from './function-config/statement.js';
import {
  ANY_QUALIFIER,
  checkQualifier,
  configTarget,
  functionExists,
  isVersionNumber,
  type ConfigTarget,
} from './function-config/target.js';
import type {
  AddPermissionResponse,
  ConfigServiceDeps,
  GetPolicyResponse,
  RemovePermissionParams,
} from './function-config/types.js';
import { MAX_NAMESPACED_FUNCTION_NAME_LENGTH } from './limits.js';
import { Violations } from './request.js';

const LATEST = '$LATEST';
/** A function's policy may not exceed 20 KB (the compact JSON of the whole document). */
export const MAX_POLICY_BYTES = 20_480;

/** The text AWS answers for AddPermission and RemovePermission [aws-rec]. */
const REVISION_MISMATCH =
  'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id';

function noSuchResource(): ServiceError {
  return resourceNotFound('The resource you requested does not exist.');
}

export class Policies {
  readonly #d: ConfigServiceDeps;

  constructor(deps: ConfigServiceDeps) {
    this.#d = deps;
  }

  /** AddPermission (201): the new statement as a JSON string. */
  async add(
    functionName: string,
    qualifier: string | undefined,
    body: unknown,
  ): Promise<AddPermissionResponse> {
    const target = this.#target(functionName, qualifier);
    const request = readPermissionRequest(body);
    if (target.qualifier === LATEST) {
      throw invalidParameter('We currently do not support adding policies for $LATEST.');
    }
    const { name } = target;
    return this.#d.locks.run(name, async () => {
      await this.#checkExists(target);
      const statement = buildStatement(request, functionArn(this.#d.ctx, name, target.qualifier));
      const key = target.qualifier ?? '';
      const current = await this.#d.store.getPolicy(name, key);
      if (request.revisionId !== undefined && request.revisionId !== current?.revisionId) {
        throw preconditionFailed(REVISION_MISMATCH);
      }
      if (current?.statements.some((s) => s.Sid === request.statementId)) {
        throw resourceConflict(
          `The statement id (${request.statementId}) provided already exists. Please provide a new statement id, or remove the existing statement.`,
        );
      }
      const statements = [...(current?.statements ?? []), statement];
      const size = Buffer.byteLength(policyDocument(statements));
      if (size > MAX_POLICY_BYTES) {
        throw new ServiceError(
          'PolicyLengthExceededException',
          400,
          `The final policy size (${size}) is bigger than the limit (${MAX_POLICY_BYTES}).`,
        );
      }
      const next: PolicyRecord = {
        functionName: name,
        qualifier: key,
        revisionId: randomUUID(),
        statements,
      };
      if (!(await this.#d.store.putPolicy(next, current?.revisionId))) {
        // Another node changed the policy between our read and our write.
        throw preconditionFailed(REVISION_MISMATCH);
      }
      return { Statement: JSON.stringify(statement) };
    });
  }

  /** GetPolicy: the qualifier's policy document as a JSON string, and its RevisionId. */
  async get(functionName: string, qualifier: string | undefined): Promise<GetPolicyResponse> {
    const target = this.#target(functionName, qualifier);
    if (!(await functionExists(this.#d.resolver, target.name, undefined))) {
      throw resourceNotFound(`Function not found: ${functionArn(this.#d.ctx, target.name)}`);
    }
    const policy = await this.#d.store.getPolicy(target.name, target.qualifier ?? '');
    if (!policy) {
      throw noSuchResource();
    }
    return { Policy: policyDocument(policy.statements), RevisionId: policy.revisionId };
  }

  /** RemovePermission (204); the policy goes away with its last statement. */
  async remove(
    functionName: string,
    statementId: string,
    params: RemovePermissionParams,
  ): Promise<void> {
    const target = this.#target(functionName, params.qualifier);
    const violations = new Violations();
    checkStatementId(statementId, violations);
    violations.throwIfAny();
    const { name } = target;
    await this.#d.locks.run(name, async () => {
      if (!(await functionExists(this.#d.resolver, name, undefined))) {
        throw resourceNotFound(
          `No policy found for: ${functionArn(this.#d.ctx, name, target.qualifier)}`,
        );
      }
      await this.#checkExists(target);
      const key = target.qualifier ?? '';
      const current = await this.#d.store.getPolicy(name, key);
      if (!current) {
        throw resourceNotFound('No policy is associated with the given resource.');
      }
      if (params.revisionId !== undefined && params.revisionId !== current.revisionId) {
        throw preconditionFailed(REVISION_MISMATCH);
      }
      const statements = current.statements.filter((s) => s.Sid !== statementId);
      if (statements.length === current.statements.length) {
        throw resourceNotFound(`Statement ${statementId} is not found in resource policy.`);
      }
      const written =
        statements.length === 0
          ? await this.#d.store.deletePolicy(name, key, current.revisionId)
          : await this.#d.store.putPolicy(
              { functionName: name, qualifier: key, revisionId: randomUUID(), statements },
              current.revisionId,
            );
      if (!written) {
        throw preconditionFailed(REVISION_MISMATCH);
      }
    });
  }

  #target(functionName: string, qualifier: string | undefined): ConfigTarget {
    const target = configTarget(
      functionName,
      qualifier,
      this.#d.ctx,
      MAX_NAMESPACED_FUNCTION_NAME_LENGTH,
    );
    checkQualifier(target.qualifier, ANY_QUALIFIER);
    return target;
  }

  /**
   * The function, version or alias must exist. A missing alias is reported as the alias
   * (`Cannot find alias arn: …`), anything else as the function (`Function not found: …`).
   */
  async #checkExists(target: ConfigTarget): Promise<void> {
    if (await functionExists(this.#d.resolver, target.name, target.qualifier)) {
      return;
    }
    const arn = functionArn(this.#d.ctx, target.name, target.qualifier);
    const q = target.qualifier;
    const isAlias = q !== undefined && !isVersionNumber(q) && /^[a-zA-Z0-9_-]+$/.test(q);
    throw resourceNotFound(
      isAlias ? `Cannot find alias arn: ${arn}` : `Function not found: ${arn}`,
    );
  }
}
