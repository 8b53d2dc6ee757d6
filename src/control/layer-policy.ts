/**
 * Layer version permissions: the resource policy that lets other accounts (or everyone) use a
 * layer version. Fogbank has one account, so the policy is kept and shown but grants nothing.
 * https://docs.aws.amazon.com/lambda/latest/dg/permissions-layer-cross-account.html
 */
import { randomUUID } from 'node:crypto';
import type {
  AddLayerVersionPermissionResponse,
  GetLayerVersionPolicyResponse,
} from '@aws-sdk/client-lambda';
import { preconditionFailed, resourceConflict, resourceNotFound } from '../core/errors.js';
import type { RegistryContext } from './context.js';
import { layerName, layerVersionArn, versionNumber } from './layer-request.js';
import { MATCHERS, MAX_STATEMENT_ID_LENGTH, PATTERNS } from './limits.js';
import { Violations, readString, requestBody } from './request.js';

const LAYER_PRECONDITION_FAILED =
  'The Revision Id provided does not match the latest Revision Id. Call the GetLayerPolicy API to retrieve the latest Revision Id';
const NO_POLICY = 'No policy is associated with the given resource.';
const ACTION = 'lambda:GetLayerVersion';

interface Target {
  readonly name: string;
  readonly version: number;
  readonly arn: string;
  readonly foreign: boolean;
}

export class LayerPolicies {
  readonly #rc: RegistryContext;

  constructor(rc: RegistryContext) {
    this.#rc = rc;
  }

  /** AddLayerVersionPermission (201). */
  async add(
    layerNameLabel: string,
    versionLabel: string,
    body: unknown,
    revisionId: string | undefined,
  ): Promise<AddLayerVersionPermissionResponse> {
    const b = requestBody(body);
    const violations = new Violations();
    const sid = readString(b, 'StatementId');
    const action = readString(b, 'Action');
    const principal = readString(b, 'Principal');
    const organizationId = readString(b, 'OrganizationId');
    if (sid === undefined) {
      violations.missing('statementId');
    } else if (sid.length > MAX_STATEMENT_ID_LENGTH || !MATCHERS.statementId.test(sid)) {
      violations.add(
        sid,
        'statementId',
        `Member must satisfy regular expression pattern: ${PATTERNS.statementId}`,
      );
    }
    if (action === undefined) {
      violations.missing('action');
    } else if (action !== ACTION) {
      violations.add(action, 'action', `Member must satisfy regular expression pattern: ${ACTION}`);
    }
    if (principal === undefined) {
      violations.missing('principal');
    } else if (!MATCHERS.layerPrincipal.test(principal)) {
      violations.add(
        principal,
        'principal',
        `Member must satisfy regular expression pattern: ${PATTERNS.layerPrincipal}`,
      );
    }
    if (organizationId !== undefined && !MATCHERS.organizationId.test(organizationId)) {
      violations.add(
        organizationId,
        'organizationId',
        `Member must satisfy regular expression pattern: ${PATTERNS.organizationId}`,
      );
    }
    const target = this.#target(layerNameLabel, versionLabel);
    if (violations.found || sid === undefined || principal === undefined) {
      throw violations.error();
    }
    const statement = JSON.stringify({
      Sid: sid,
      Effect: 'Allow',
      Principal: principalOf(principal),
      Action: ACTION,
      Resource: target.arn,
      ...(organizationId !== undefined && {
        Condition: { StringEquals: { 'aws:PrincipalOrgID': organizationId } },
      }),
    });
    const newRevisionId = randomUUID();
    const result = target.foreign
      ? 'not-found'
      : await this.#rc.store.addLayerVersionStatement(
          {
            layerName: target.name,
            version: target.version,
            statementId: sid,
            newRevisionId,
            ...(revisionId !== undefined && { expectedRevisionId: revisionId }),
          },
          statement,
        );
    switch (result) {
      case 'not-found':
        throw notFound(target);
      case 'exists':
        throw resourceConflict(
          `The statement id (${sid}) provided already exists. Please provide a new statement id, or remove the existing statement.`,
        );
      case 'revision-mismatch':
        throw preconditionFailed(LAYER_PRECONDITION_FAILED);
      case 'added':
        return { Statement: statement, RevisionId: newRevisionId };
    }
  }

  /** GetLayerVersionPolicy. */
  async get(layerNameLabel: string, versionLabel: string): Promise<GetLayerVersionPolicyResponse> {
    const target = this.#target(layerNameLabel, versionLabel);
    const policy = target.foreign
      ? undefined
      : await this.#rc.store.getLayerVersionPolicy(target.name, target.version);
    if (!policy) {
      throw notFound(target);
    }
    if (policy.statements.length === 0 || policy.revisionId === undefined) {
      throw resourceNotFound(NO_POLICY);
    }
    const document = {
      Version: '2012-10-17',
      Id: 'default',
      Statement: policy.statements.map((s) => JSON.parse(s) as unknown),
    };
    return { Policy: JSON.stringify(document), RevisionId: policy.revisionId };
  }

  /** RemoveLayerVersionPermission (204). */
  async remove(
    layerNameLabel: string,
    versionLabel: string,
    statementId: string,
    revisionId: string | undefined,
  ): Promise<void> {
    const target = this.#target(layerNameLabel, versionLabel);
    const result = target.foreign
      ? 'not-found'
      : await this.#rc.store.removeLayerVersionStatement({
          layerName: target.name,
          version: target.version,
          statementId,
          newRevisionId: randomUUID(),
          ...(revisionId !== undefined && { expectedRevisionId: revisionId }),
        });
    switch (result) {
      case 'not-found':
        throw notFound(target);
      case 'revision-mismatch':
        throw preconditionFailed(LAYER_PRECONDITION_FAILED);
      case 'no-statement':
        throw resourceNotFound(`Statement ${statementId} is not found in resource policy.`);
      case 'removed':
        return;
    }
  }

  #target(layerNameLabel: string, versionLabel: string): Target {
    const { name, foreign } = layerName(layerNameLabel, this.#rc.ctx);
    const version = versionNumber(versionLabel);
    return { name, version, foreign, arn: layerVersionArn(this.#rc.ctx, name, version) };
  }
}

function notFound(target: Target): Error {
  return resourceNotFound(`Layer version ${target.arn} does not exist.`);
}

/** `*` stays `*`; an account id or an account root ARN becomes `{"AWS": <root ARN>}`. */
function principalOf(principal: string): unknown {
  if (principal === '*') {
    return '*';
  }
  return { AWS: /^\d{12}$/.test(principal) ? `arn:aws:iam::${principal}:root` : principal };
}
