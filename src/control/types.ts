/**
 * The control plane as the API layer sees it: one method per Lambda operation.
 * Inputs are the raw JSON bodies (validated here, in src/control, where every limit lives);
 * outputs are AWS's response shapes, ready to serialize.
 */
import type {
  AccountLimit,
  AccountUsage,
  FunctionCodeLocation,
  FunctionConfiguration,
} from '@aws-sdk/client-lambda';

export interface GetFunctionResult {
  readonly Configuration: FunctionConfiguration;
  readonly Code: FunctionCodeLocation;
  readonly Tags?: Record<string, string>;
  readonly Concurrency?: { readonly ReservedConcurrentExecutions?: number };
}

export interface ListFunctionsParams {
  readonly marker?: string;
  readonly maxItems?: number;
  /** `ALL` lists published versions too. */
  readonly functionVersion?: string;
}

export interface ListFunctionsResult {
  readonly Functions: FunctionConfiguration[];
  readonly NextMarker?: string;
}

export interface AccountSettings {
  readonly AccountLimit: AccountLimit;
  readonly AccountUsage: AccountUsage;
}

/**
 * Every method throws a ServiceError (src/core/errors.ts) for bad input or a missing resource,
 * and changes nothing when it throws. `functionName` arguments are the FunctionName path label
 * as sent (name, partial ARN or ARN, possibly qualified).
 */
export interface ControlPlane {
  /** CreateFunction (201). */
  createFunction(body: unknown): Promise<FunctionConfiguration>;
  /** GetFunction. */
  getFunction(functionName: string, qualifier?: string): Promise<GetFunctionResult>;
  /** GetFunctionConfiguration. */
  getFunctionConfiguration(
    functionName: string,
    qualifier?: string,
  ): Promise<FunctionConfiguration>;
  /** ListFunctions (≤ 50 per page). */
  listFunctions(params: ListFunctionsParams): Promise<ListFunctionsResult>;
  /** UpdateFunctionCode. */
  updateFunctionCode(functionName: string, body: unknown): Promise<FunctionConfiguration>;
  /** UpdateFunctionConfiguration. */
  updateFunctionConfiguration(functionName: string, body: unknown): Promise<FunctionConfiguration>;
  /** DeleteFunction (whole function, or one version with a qualifier). */
  deleteFunction(functionName: string, qualifier?: string): Promise<void>;
  /** TagResource on an unqualified function ARN. */
  tagResource(resourceArn: string, body: unknown): Promise<void>;
  /** UntagResource. */
  untagResource(resourceArn: string, tagKeys: readonly string[]): Promise<void>;
  /** ListTags. */
  listTags(resourceArn: string): Promise<{ Tags: Record<string, string> }>;
  /** GetAccountSettings. */
  getAccountSettings(): Promise<AccountSettings>;
  /**
   * The deployment package behind GetFunction's Code.Location, by its CodeSha256 in hex;
   * undefined when no such package is stored.
   */
  readCodePackage(codeSha256Hex: string): Promise<Buffer | undefined>;
}
