/**
 * The body of CreateFunctionUrlConfig / UpdateFunctionUrlConfig: AuthType, InvokeMode and Cors,
 * with the model's constraints (at most 6 methods, MaxAge 0–86400, …) and AWS's texts.
 * https://docs.aws.amazon.com/lambda/latest/api/API_Cors.html
 */
import type {
  FunctionUrlAuthType,
  FunctionUrlCors,
  FunctionUrlInvokeMode,
} from '../../store/sqlite/function-config-tables.js';
import {
  Violations,
  listText,
  readBoolean,
  readInteger,
  readObject,
  readString,
  readStringList,
  requestBody,
  type Body,
} from '../request.js';

const AUTH_TYPES: readonly FunctionUrlAuthType[] = ['NONE', 'AWS_IAM'];
const INVOKE_MODES: readonly FunctionUrlInvokeMode[] = ['BUFFERED', 'RESPONSE_STREAM'];
const MAX_AGE = { min: 0, max: 86_400 } as const;

/** Per list member of Cors: most items, and each item's length. */
const CORS_LISTS = [
  {
    member: 'AllowHeaders',
    path: 'cors.allowHeaders',
    maxItems: 100,
    minLength: 0,
    maxLength: 1024,
  },
  { member: 'AllowMethods', path: 'cors.allowMethods', maxItems: 6, minLength: 0, maxLength: 6 },
  {
    member: 'AllowOrigins',
    path: 'cors.allowOrigins',
    maxItems: 100,
    minLength: 1,
    maxLength: 253,
  },
  {
    member: 'ExposeHeaders',
    path: 'cors.exposeHeaders',
    maxItems: 100,
    minLength: 0,
    maxLength: 1024,
  },
] as const;

export interface UrlSettingsRequest {
  readonly authType?: FunctionUrlAuthType;
  readonly invokeMode?: FunctionUrlInvokeMode;
  readonly cors?: FunctionUrlCors;
}

/** Reads the body; `requireAuthType` for Create, where AuthType is required. */
export function readUrlSettings(body: unknown, requireAuthType: boolean): UrlSettingsRequest {
  const b = requestBody(body);
  const violations = new Violations();
  const authType = readEnum(b, 'AuthType', 'authType', AUTH_TYPES, violations);
  if (requireAuthType && readString(b, 'AuthType') === undefined) {
    violations.missing('authType');
  }
  const invokeMode = readEnum(b, 'InvokeMode', 'invokeMode', INVOKE_MODES, violations);
  const corsBody = readObject(b, 'Cors');
  const cors = corsBody === undefined ? undefined : readCors(corsBody, violations);
  violations.throwIfAny();
  return {
    ...(authType !== undefined && { authType }),
    ...(invokeMode !== undefined && { invokeMode }),
    ...(cors !== undefined && { cors }),
  };
}

function readEnum<T extends string>(
  b: Body,
  member: string,
  path: string,
  values: readonly T[],
  violations: Violations,
): T | undefined {
  const value = readString(b, member);
  if (value === undefined) {
    return undefined;
  }
  if (!(values as readonly string[]).includes(value)) {
    violations.add(value, path, `Member must satisfy enum value set: [${values.join(', ')}]`);
    return undefined;
  }
  return value as T;
}

function readCors(b: Body, violations: Violations): FunctionUrlCors {
  const cors: { -readonly [K in keyof FunctionUrlCors]: FunctionUrlCors[K] } = {};
  const allowCredentials = readBoolean(b, 'AllowCredentials', 'Cors.AllowCredentials');
  if (allowCredentials !== undefined) {
    cors.AllowCredentials = allowCredentials;
  }
  for (const list of CORS_LISTS) {
    const values = readStringList(b, list.member, `Cors.${list.member}`);
    if (values === undefined) {
      continue;
    }
    if (values.length > list.maxItems) {
      violations.add(
        listText(values),
        list.path,
        `Member must have length less than or equal to ${list.maxItems}`,
      );
    } else if (values.some((v) => v.length < list.minLength || v.length > list.maxLength)) {
      const bounds = [`Member must have length less than or equal to ${list.maxLength}`];
      if (list.minLength > 0) {
        bounds.push(`Member must have length greater than or equal to ${list.minLength}`);
      }
      violations.add(
        listText(values),
        list.path,
        `Member must satisfy constraint: [${bounds.join(', ')}]`,
      );
    }
    cors[list.member] = values;
  }
  const maxAge = readInteger(b, 'MaxAge', 'Cors.MaxAge');
  if (maxAge !== undefined) {
    if (maxAge < MAX_AGE.min || maxAge > MAX_AGE.max) {
      violations.add(
        String(maxAge),
        'cors.maxAge',
        maxAge < MAX_AGE.min
          ? `Member must have value greater than or equal to ${MAX_AGE.min}`
          : `Member must have value less than or equal to ${MAX_AGE.max}`,
      );
    }
    cors.MaxAge = maxAge;
  }
  return cors;
}
