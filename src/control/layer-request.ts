/**
 * Layer requests and answers: layer names and ARNs, version numbers, PublishLayerVersion's
 * members with the model's constraints, and the LayerVersion shapes.
 * https://docs.aws.amazon.com/lambda/latest/api/API_PublishLayerVersion.html
 */
import type {
  Architecture,
  GetLayerVersionResponse,
  LayerVersionsListItem,
  Runtime,
} from '@aws-sdk/client-lambda';
import type { AccountContext } from '../core/arn.js';
import { invalidParameter, validationError } from '../core/errors.js';
import type { LayerVersionRecord } from '../store/index.js';
import { packageUrl } from './function-code.js';
import { lambdaTimestamp } from './function-version.js';
import {
  ARCHITECTURES,
  DEPRECATED_RUNTIMES,
  MATCHERS,
  MAX_COMPATIBLE_ARCHITECTURES,
  MAX_COMPATIBLE_RUNTIMES,
  MAX_LAYER_NAME_LENGTH,
  MAX_LICENSE_INFO_LENGTH,
  PATTERNS,
  SUPPORTED_RUNTIMES,
} from './limits.js';
import {
  Violations,
  listText,
  readDescription,
  readObject,
  readString,
  readStringList,
  type Body,
} from './request.js';

/** The model's Runtime enum: supported and deprecated runtimes alike may be declared. */
const RUNTIME_ENUM: readonly string[] = [...SUPPORTED_RUNTIMES, ...DEPRECATED_RUNTIMES];
const MAX_LAYER_PAGE = 50;

const LAYER_ARN = /^arn:[a-zA-Z0-9-]+:lambda:([a-zA-Z0-9-]+):(\d{12}):layer:([a-zA-Z0-9-_]+)$/;

export interface LayerName {
  readonly name: string;
  /** An ARN of another region or account: it names no layer on this server. */
  readonly foreign: boolean;
}

/** A LayerName path label: a name or a layer ARN. */
export function layerName(label: string, ctx: AccountContext): LayerName {
  if (label.length > MAX_LAYER_NAME_LENGTH || !MATCHERS.layerName.test(label)) {
    throw validationError([
      `Value '${label}' at 'layerName' failed to satisfy constraint: Member must satisfy regular expression pattern: ${PATTERNS.layerName}`,
    ]);
  }
  const m = LAYER_ARN.exec(label);
  if (!m) {
    return { name: label, foreign: false };
  }
  const [, region, account, name = ''] = m;
  return { name, foreign: region !== ctx.region || account !== ctx.accountId };
}

export function layerArn(ctx: AccountContext, name: string): string {
  return `arn:aws:lambda:${ctx.region}:${ctx.accountId}:layer:${name}`;
}

export function layerVersionArn(ctx: AccountContext, name: string, version: number): string {
  return `${layerArn(ctx, name)}:${String(version)}`;
}

/** A VersionNumber path label. */
export function versionNumber(label: string): number {
  if (!/^-?[0-9]{1,15}$/.test(label)) {
    throw validationError([
      `Value '${label}' at 'versionNumber' failed to satisfy constraint: Member must be a number`,
    ]);
  }
  const version = Number(label);
  if (version < 1) {
    throw invalidParameter('Layer Version Cannot be less than 1');
  }
  return version;
}

/** GetLayerVersionByArn's Arn: the layer name and version it names. */
export function parseLayerVersionArn(
  arn: string,
  ctx: AccountContext,
): { name: string; version: number; foreign: boolean } {
  if (arn.length > 140 || !MATCHERS.layerVersionArn.test(arn)) {
    throw validationError([
      `Value '${arn}' at 'arn' failed to satisfy constraint: Member must satisfy regular expression pattern: ${PATTERNS.layerVersionArn}`,
    ]);
  }
  const colon = arn.lastIndexOf(':');
  const { name, foreign } = layerName(arn.slice(0, colon), ctx);
  return { name, version: Number(arn.slice(colon + 1)), foreign };
}

export interface PublishLayerMembers {
  readonly content: Body;
  readonly description: string;
  readonly compatibleRuntimes?: string[];
  readonly compatibleArchitectures?: string[];
  readonly licenseInfo?: string;
}

/** PublishLayerVersion's body, every model-constraint violation in one ValidationException. */
export function readPublishLayer(body: Body): PublishLayerMembers {
  const violations = new Violations();
  const content = readObject(body, 'Content');
  if (content === undefined) {
    violations.missing('content');
  }
  const description = readDescription(body, violations) ?? '';
  const runtimes = readStringList(body, 'CompatibleRuntimes');
  checkList(runtimes, 'compatibleRuntimes', MAX_COMPATIBLE_RUNTIMES, RUNTIME_ENUM, violations);
  const architectures = readStringList(body, 'CompatibleArchitectures');
  checkList(
    architectures,
    'compatibleArchitectures',
    MAX_COMPATIBLE_ARCHITECTURES,
    ARCHITECTURES,
    violations,
  );
  const licenseInfo = readString(body, 'LicenseInfo');
  if (licenseInfo !== undefined && licenseInfo.length > MAX_LICENSE_INFO_LENGTH) {
    violations.add(
      licenseInfo,
      'licenseInfo',
      `Member must have length less than or equal to ${String(MAX_LICENSE_INFO_LENGTH)}`,
    );
  }
  if (violations.found || content === undefined) {
    throw violations.error();
  }
  return {
    content,
    description,
    ...(runtimes !== undefined && { compatibleRuntimes: runtimes }),
    ...(architectures !== undefined && { compatibleArchitectures: architectures }),
    ...(licenseInfo !== undefined && { licenseInfo }),
  };
}

function checkList(
  values: readonly string[] | undefined,
  path: string,
  max: number,
  allowed: readonly string[],
  violations: Violations,
): void {
  if (values === undefined) {
    return;
  }
  if (values.length > max) {
    violations.add(
      listText(values),
      path,
      `Member must have length less than or equal to ${String(max)}`,
    );
  }
  if (values.some((v) => !allowed.includes(v))) {
    violations.add(
      listText(values),
      path,
      `Member must satisfy constraint: [Member must satisfy enum value set: ${listText(allowed)}, Member must not be null]`,
    );
  }
}

/** ListLayers / ListLayerVersions filters, checked against their enums. */
export function checkLayerFilter(filter: {
  readonly compatibleRuntime?: string;
  readonly compatibleArchitecture?: string;
}): void {
  const violations = new Violations();
  const { compatibleRuntime: runtime, compatibleArchitecture: architecture } = filter;
  if (runtime !== undefined && !RUNTIME_ENUM.includes(runtime)) {
    violations.add(
      runtime,
      'compatibleRuntime',
      `Member must satisfy enum value set: ${listText(RUNTIME_ENUM)}`,
    );
  }
  if (architecture !== undefined && !(ARCHITECTURES as readonly string[]).includes(architecture)) {
    violations.add(
      architecture,
      'compatibleArchitecture',
      `Member must satisfy enum value set: ${listText(ARCHITECTURES)}`,
    );
  }
  violations.throwIfAny();
}

/** MaxItems of the layer listings: 1–50. */
export function layerPageSize(maxItems: number | undefined): number {
  if (maxItems === undefined) {
    return MAX_LAYER_PAGE;
  }
  if (maxItems < 1 || maxItems > MAX_LAYER_PAGE) {
    const bound =
      maxItems < 1
        ? 'Member must have value greater than or equal to 1'
        : `Member must have value less than or equal to ${String(MAX_LAYER_PAGE)}`;
    throw validationError([
      `Value '${String(maxItems)}' at 'maxItems' failed to satisfy constraint: ${bound}`,
    ]);
  }
  return maxItems;
}

/** GetLayerVersion / PublishLayerVersion answer. */
export function renderLayerVersion(
  ctx: AccountContext,
  endpoint: string,
  r: LayerVersionRecord,
): GetLayerVersionResponse {
  const { LayerVersionArn, Version, ...rest } = renderListItem(ctx, r);
  return {
    Content: {
      Location: packageUrl(endpoint, r.codeSha256),
      CodeSha256: Buffer.from(r.codeSha256, 'hex').toString('base64'),
      CodeSize: r.codeSize,
    },
    LayerArn: layerArn(ctx, r.layerName),
    LayerVersionArn,
    Version,
    ...rest,
  };
}

/** ListLayerVersions item and ListLayers' LatestMatchingVersion. */
export function renderListItem(ctx: AccountContext, r: LayerVersionRecord): LayerVersionsListItem {
  return {
    LayerVersionArn: layerVersionArn(ctx, r.layerName, r.version),
    Version: r.version,
    Description: r.description,
    CreatedDate: lambdaTimestamp(r.createdAt),
    ...(r.compatibleRuntimes && { CompatibleRuntimes: [...r.compatibleRuntimes] as Runtime[] }),
    ...(r.compatibleArchitectures && {
      CompatibleArchitectures: [...r.compatibleArchitectures] as Architecture[],
    }),
    ...(r.licenseInfo !== undefined && { LicenseInfo: r.licenseInfo }),
  };
}
