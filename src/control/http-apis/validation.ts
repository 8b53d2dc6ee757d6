/**
 * The rules of API Gateway v2 inputs that do not depend on the rest of the API: names, stage
 * names and variables, authorization types, integration settings.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-stages.stage-variables.html
 */
import type { AccountContext } from '../../core/arn.js';
import { badRequest } from './errors.js';
import type { IntegrationInput } from './inputs.js';
import { integrationFunctionArn } from './integration-uri.js';
import type { IntegrationRecord } from './types.js';

const MAX_TIMEOUT_MS = 30_000;
const STAGE_NAME = /^(\$default|[A-Za-z0-9_-]{1,128})$/;
const STAGE_VARIABLE_NAME = /^[A-Za-z0-9_]{1,64}$/;
const STAGE_VARIABLE_VALUE = /^[A-Za-z0-9-._~:/?#&=,]{0,2048}$/;
const TARGET = /^integrations\/([a-z0-9]+)$/;

/** The integration id of a route's `integrations/<id>` target; undefined for anything else. */
export function targetIntegrationId(target: string | undefined): string | undefined {
  return target === undefined ? undefined : TARGET.exec(target)?.[1];
}

export function checkName(name: string | undefined): string {
  if (name === undefined || name.length === 0 || name.length > 128) {
    throw badRequest('Name is required and must be between 1 and 128 characters.');
  }
  return name;
}

export function checkStageName(stageName: string | undefined): string {
  if (stageName === undefined || !STAGE_NAME.test(stageName)) {
    throw badRequest(
      `Stage name '${stageName ?? ''}' is not valid: use $default or 1-128 of A-Z a-z 0-9 _ -.`,
    );
  }
  return stageName;
}

export function checkStageVariables(
  variables: Readonly<Record<string, string>>,
): Readonly<Record<string, string>> {
  for (const [name, value] of Object.entries(variables)) {
    if (!STAGE_VARIABLE_NAME.test(name) || !STAGE_VARIABLE_VALUE.test(value)) {
      throw badRequest(
        `Invalid stage variable '${name}': names are 1-64 of A-Z a-z 0-9 _, values up to 2048 of A-Z a-z 0-9 - . _ ~ : / ? # & = ,`,
      );
    }
  }
  return variables;
}

export function authorizationType(value: string | undefined): 'NONE' {
  if (value !== undefined && value !== 'NONE') {
    throw badRequest(
      `Unsupported AuthorizationType '${value}': Fogbank's HTTP APIs have no authorizers.`,
    );
  }
  return 'NONE';
}

/** An integration's settings, validated: a Lambda proxy integration of a function ARN. */
export function integrationSettings(
  input: IntegrationInput,
  ctx: AccountContext,
): Omit<IntegrationRecord, 'integrationId'> {
  if (input.integrationType !== 'AWS_PROXY') {
    throw badRequest(
      `Unsupported integration type '${input.integrationType ?? ''}': Fogbank supports AWS_PROXY (Lambda proxy) integrations only.`,
    );
  }
  if (input.integrationUri === undefined) {
    throw badRequest('IntegrationUri is required for AWS_PROXY integrations.');
  }
  integrationFunctionArn(input.integrationUri, ctx);
  const version = input.payloadFormatVersion;
  if (version !== '1.0' && version !== '2.0') {
    throw badRequest(
      version === undefined
        ? 'PayloadFormatVersion is required for AWS_PROXY integrations of HTTP APIs (1.0 or 2.0).'
        : `Invalid PayloadFormatVersion '${version}': use 1.0 or 2.0.`,
    );
  }
  const timeout = input.timeoutInMillis ?? MAX_TIMEOUT_MS;
  if (timeout < 50 || timeout > MAX_TIMEOUT_MS) {
    throw badRequest(`TimeoutInMillis must be between 50 and 30000, not ${timeout}.`);
  }
  if (input.integrationMethod !== undefined && input.integrationMethod !== 'POST') {
    throw badRequest('Lambda proxy integrations use IntegrationMethod POST.');
  }
  return {
    integrationType: 'AWS_PROXY',
    integrationUri: input.integrationUri,
    integrationMethod: 'POST',
    connectionType: 'INTERNET',
    payloadFormatVersion: version,
    timeoutInMillis: timeout,
    ...(input.description !== undefined && { description: input.description }),
  };
}
