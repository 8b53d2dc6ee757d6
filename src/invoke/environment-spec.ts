import type { AccountContext } from '../core/arn.js';
import type { EnvironmentSpec } from '../sandbox/types.js';
import type { ResolvedVersion } from './types.js';

/**
 * The environment pool key of a version: environments never serve another key, and a changed
 * revision (an updated $LATEST) gets fresh environments.
 */
export function environmentKey(v: ResolvedVersion): string {
  return `${v.functionName}:${v.version}:${v.revisionId}`;
}

/**
 * What the environment pool needs to start environments for a resolved version. Invocations
 * and provisioned concurrency build it the same way, so both land on the same pool key.
 */
export function environmentSpec(
  v: ResolvedVersion,
  ctx: AccountContext,
  apiEndpoint: EnvironmentSpec['apiEndpoint'],
): EnvironmentSpec {
  return {
    key: environmentKey(v),
    functionName: v.functionName,
    functionVersion: v.version,
    runtime: v.runtime,
    handler: v.handler,
    memorySizeMb: v.memorySizeMb,
    timeoutSeconds: v.timeoutSeconds,
    ephemeralStorageMb: v.ephemeralStorageMb,
    codeDir: v.codeDir,
    layerDirs: v.layerDirs,
    variables: v.variables,
    logGroupName: v.logGroupName,
    logFormat: v.logFormat,
    ...(v.applicationLogLevel !== undefined ? { applicationLogLevel: v.applicationLogLevel } : {}),
    region: ctx.region,
    accountId: ctx.accountId,
    credentials: roleCredentials(v.role),
    apiEndpoint,
  };
}

/**
 * DIVERGENCE: there is no STS here, so a function's "execution-role credentials" are a
 * stable key pair derived from its role; Fogbank's API accepts them like any other.
 */
function roleCredentials(role: string): EnvironmentSpec['credentials'] {
  const id = Buffer.from(role)
    .toString('base64url')
    .replace(/[^A-Za-z0-9]/g, '')
    .slice(-16);
  return {
    accessKeyId: `ASIA${id.toUpperCase().padEnd(16, 'X')}`,
    secretAccessKey: 'fogbank-role-secret',
    sessionToken: `fogbank-session-${id}`,
  };
}
