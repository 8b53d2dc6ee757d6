/**
 * CreateAlias / UpdateAlias request members with the model's constraints, AWS's rules for
 * RoutingConfig, and the AliasConfiguration answer.
 * https://docs.aws.amazon.com/lambda/latest/api/API_CreateAlias.html
 */
import type { AliasConfiguration } from '@aws-sdk/client-lambda';
import { functionArn, type AccountContext } from '../core/arn.js';
import { invalidParameter, invalidRequestContent } from '../core/errors.js';
import { LATEST, type AliasRecord } from '../store/index.js';
import { MATCHERS, MAX_ALIAS_NAME_LENGTH, PATTERNS } from './limits.js';
import { Violations, readDescription, readObject, readString, type Body } from './request.js';

/** The members of a CreateAlias or UpdateAlias body (absent ones stay undefined). */
export interface AliasMembers {
  name?: string;
  functionVersion?: string;
  description?: string;
  /** Present when RoutingConfig was given; `{}` clears routing. */
  weights?: Record<string, number>;
  revisionId?: string;
}

/** Checks an alias name (a CreateAlias member or a path label). */
export function checkAliasName(name: string, violations: Violations): void {
  if (name.length > MAX_ALIAS_NAME_LENGTH) {
    violations.add(
      name,
      'name',
      `Member must have length less than or equal to ${String(MAX_ALIAS_NAME_LENGTH)}`,
    );
  }
  if (!MATCHERS.aliasName.test(name)) {
    violations.add(
      name,
      'name',
      `Member must satisfy regular expression pattern: ${PATTERNS.aliasName}`,
    );
  }
}

/** The alias name of a GetAlias/UpdateAlias/DeleteAlias path, or its ValidationException. */
export function aliasNameLabel(name: string): string {
  const violations = new Violations();
  checkAliasName(name, violations);
  violations.throwIfAny();
  return name;
}

export function checkFunctionVersion(version: string, violations: Violations): void {
  if (version.length > 1024 || !MATCHERS.functionVersion.test(version)) {
    violations.add(
      version,
      'functionVersion',
      `Member must satisfy regular expression pattern: ${PATTERNS.functionVersion}`,
    );
  }
}

/** Reads and checks the members; `create` makes Name and FunctionVersion required. */
export function readAliasMembers(body: Body, create: boolean): AliasMembers {
  const violations = new Violations();
  const members: AliasMembers = {};
  const name = readString(body, 'Name');
  if (create) {
    if (name === undefined) {
      violations.missing('name');
    } else {
      checkAliasName(name, violations);
      members.name = name;
    }
  }
  const version = readString(body, 'FunctionVersion');
  if (version === undefined) {
    if (create) {
      violations.missing('functionVersion');
    }
  } else {
    checkFunctionVersion(version, violations);
    members.functionVersion = version;
  }
  const description = readDescription(body, violations);
  if (description !== undefined) {
    members.description = description;
  }
  const routing = readObject(body, 'RoutingConfig');
  if (routing !== undefined) {
    members.weights = readWeights(routing, violations);
  }
  if (!create) {
    const revisionId = readString(body, 'RevisionId');
    if (revisionId !== undefined) {
      members.revisionId = revisionId;
    }
  }
  violations.throwIfAny();
  return members;
}

/** Java's rendering of a double: `2.0`, `0.5`. */
function javaDouble(n: number): string {
  return Number.isInteger(n) ? n.toFixed(1) : String(n);
}

function readWeights(routing: Body, violations: Violations): Record<string, number> {
  const raw = readObject(
    routing,
    'AdditionalVersionWeights',
    'RoutingConfig.AdditionalVersionWeights',
  );
  const weights: Record<string, number> = {};
  for (const [key, value] of Object.entries(raw ?? {})) {
    if (typeof value !== 'number') {
      throw invalidRequestContent(
        "Could not parse request body into json: Unexpected value for member 'RoutingConfig.AdditionalVersionWeights': expected a map of numbers.",
      );
    }
    weights[key] = value;
  }
  // AWS quotes the whole map, Java-style: {2=2.0}.
  const text = `{${Object.entries(weights)
    .map(([k, v]) => `${k}=${javaDouble(v)}`)
    .join(', ')}}`;
  const path = 'routingConfig.additionalVersionWeights';
  if (Object.keys(weights).some((k) => k.length > 1024 || !/^[0-9]+$/.test(k))) {
    violations.add(
      text,
      path,
      'Map keys must satisfy constraint: [Member must have length less than or equal to 1024, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [0-9]+, Member must not be null]',
    );
  }
  if (Object.values(weights).some((w) => !(w >= 0 && w <= 1))) {
    violations.add(
      text,
      path,
      'Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0, Member must not be null]',
    );
  }
  return weights;
}

/**
 * AWS's semantic rules for a routing configuration over `primary` [aws-rec]; the existence of
 * the additional version is checked by the caller.
 */
export function checkRouting(primary: string, weights: Readonly<Record<string, number>>): void {
  const versions = Object.keys(weights);
  if (versions.length > 1) {
    throw invalidParameter('Number of items in AdditionalVersionWeights cannot be greater than 1');
  }
  if (versions.length === 0) {
    return;
  }
  if (versions.includes(primary)) {
    throw invalidParameter(
      `Invalid function version ${primary}. Function version ${primary} is already included in routing configuration.`,
    );
  }
  if (primary === LATEST) {
    throw invalidParameter('$LATEST is not supported for an alias pointing to more than 1 version');
  }
}

export function renderAlias(ctx: AccountContext, a: AliasRecord): AliasConfiguration {
  return {
    AliasArn: functionArn(ctx, a.functionName, a.name),
    Name: a.name,
    FunctionVersion: a.functionVersion,
    Description: a.description,
    ...(Object.keys(a.additionalVersionWeights).length > 0 && {
      RoutingConfig: { AdditionalVersionWeights: { ...a.additionalVersionWeights } },
    }),
    RevisionId: a.revisionId,
  };
}
