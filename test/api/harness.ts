/**
 * Component-test harness for src/api: the real handler on a real http.Server (port 0), a real
 * LambdaClient pointed at it, and small ControlPlane/Invoker stand-ins (those services are not the
 * part under test) that record their calls and answer with canned AWS shapes.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';
import {
  LambdaClient,
  type AliasConfiguration,
  type FunctionConfiguration,
  type GetLayerVersionResponse,
  type GetProvisionedConcurrencyConfigResponse,
} from '@aws-sdk/client-lambda';
import {
  createApiHandler,
  type ApiHandlerOptions,
  type ApiRequestRecord,
} from '../../src/api/index.js';
import type { AccountContext } from '../../src/core/arn.js';
import type { ControlPlane } from '../../src/control/types.js';
import type { InvokeInput, InvokeOutput, Invoker } from '../../src/invoke/types.js';

// The SDK warns once per process that it will drop Node 20 in 2027; that is noise in test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

export const CTX: AccountContext = { region: 'us-east-1', accountId: '000000000000' };
export const ARN = 'arn:aws:lambda:us-east-1:000000000000:function:orders';

export const CONFIGURATION: FunctionConfiguration = {
  FunctionName: 'orders',
  FunctionArn: ARN,
  Runtime: 'nodejs22.x',
  Role: 'arn:aws:iam::000000000000:role/lambda-exec',
  Handler: 'index.handler',
  CodeSize: 312,
  Description: '',
  Timeout: 3,
  MemorySize: 128,
  LastModified: '2025-05-01T10:00:00.000+0000',
  CodeSha256: 'n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=',
  Version: '$LATEST',
  State: 'Active',
  LastUpdateStatus: 'Successful',
  PackageType: 'Zip',
  Architectures: ['x86_64'],
};

export const ALIAS: AliasConfiguration = {
  AliasArn: `${ARN}:live`,
  Name: 'live',
  FunctionVersion: '1',
  Description: '',
  RevisionId: 'b4c3d2e1-0000-4000-8000-000000000000',
};

export const PROVISIONED: GetProvisionedConcurrencyConfigResponse = {
  RequestedProvisionedConcurrentExecutions: 2,
  AllocatedProvisionedConcurrentExecutions: 0,
  AvailableProvisionedConcurrentExecutions: 0,
  Status: 'IN_PROGRESS',
  LastModified: '2025-05-01T10:00:00.000+0000',
};

export const LAYER_VERSION: GetLayerVersionResponse = {
  LayerArn: 'arn:aws:lambda:us-east-1:000000000000:layer:shared',
  LayerVersionArn: 'arn:aws:lambda:us-east-1:000000000000:layer:shared:1',
  Version: 1,
  Description: '',
  CreatedDate: '2025-05-01T10:00:00.000+0000',
};

export interface Call {
  readonly method: string;
  readonly args: readonly unknown[];
}

function cannedControl(): ControlPlane {
  return {
    createFunction: () => Promise.resolve({ ...CONFIGURATION, State: 'Pending' }),
    getFunction: () =>
      Promise.resolve({
        Configuration: CONFIGURATION,
        Code: { RepositoryType: 'S3', Location: 'http://127.0.0.1/_fogbank/code/x.zip' },
      }),
    getFunctionConfiguration: () => Promise.resolve(CONFIGURATION),
    listFunctions: () => Promise.resolve({ Functions: [CONFIGURATION] }),
    updateFunctionCode: () => Promise.resolve(CONFIGURATION),
    updateFunctionConfiguration: () => Promise.resolve(CONFIGURATION),
    deleteFunction: () => Promise.resolve(),
    tagResource: () => Promise.resolve(),
    untagResource: () => Promise.resolve(),
    listTags: () => Promise.resolve({ Tags: { team: 'core' } }),
    getAccountSettings: () =>
      Promise.resolve({
        AccountLimit: { ConcurrentExecutions: 1000, UnreservedConcurrentExecutions: 1000 },
        AccountUsage: { FunctionCount: 1, TotalCodeSize: 312 },
      }),
    readCodePackage: () => Promise.resolve(undefined),
    publishVersion: () =>
      Promise.resolve({ ...CONFIGURATION, Version: '1', FunctionArn: `${ARN}:1` }),
    listVersionsByFunction: () => Promise.resolve({ Versions: [CONFIGURATION] }),
    createAlias: () => Promise.resolve(ALIAS),
    getAlias: () => Promise.resolve(ALIAS),
    updateAlias: () => Promise.resolve(ALIAS),
    deleteAlias: () => Promise.resolve(),
    listAliases: () => Promise.resolve({ Aliases: [ALIAS] }),
    putFunctionConcurrency: () => Promise.resolve({ ReservedConcurrentExecutions: 5 }),
    getFunctionConcurrency: () => Promise.resolve({ ReservedConcurrentExecutions: 5 }),
    deleteFunctionConcurrency: () => Promise.resolve(),
    putProvisionedConcurrencyConfig: () => Promise.resolve(PROVISIONED),
    getProvisionedConcurrencyConfig: () => Promise.resolve(PROVISIONED),
    deleteProvisionedConcurrencyConfig: () => Promise.resolve(),
    listProvisionedConcurrencyConfigs: () =>
      Promise.resolve({
        ProvisionedConcurrencyConfigs: [{ FunctionArn: `${ARN}:1`, ...PROVISIONED }],
      }),
    publishLayerVersion: () => Promise.resolve(LAYER_VERSION),
    getLayerVersion: () => Promise.resolve(LAYER_VERSION),
    getLayerVersionByArn: () => Promise.resolve(LAYER_VERSION),
    listLayers: () => Promise.resolve({ Layers: [] }),
    listLayerVersions: () => Promise.resolve({ LayerVersions: [] }),
    deleteLayerVersion: () => Promise.resolve(),
    addLayerVersionPermission: () => Promise.resolve({ Statement: '{}', RevisionId: 'r' }),
    getLayerVersionPolicy: () => Promise.resolve({ Policy: '{}', RevisionId: 'r' }),
    removeLayerVersionPermission: () => Promise.resolve(),
  };
}

/** A ControlPlane answering with canned shapes (or `overrides`) that records every call. */
export function recordingControl(overrides: Partial<ControlPlane> = {}): {
  control: ControlPlane;
  calls: Call[];
} {
  const calls: Call[] = [];
  const impl: Record<string, (...args: unknown[]) => Promise<unknown>> = {
    ...(cannedControl() as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>),
    ...(overrides as Record<string, (...args: unknown[]) => Promise<unknown>>),
  };
  const control: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const [method, fn] of Object.entries(impl)) {
    control[method] = (...args: unknown[]) => {
      calls.push({ method, args });
      return fn(...args);
    };
  }
  return { control: control as unknown as ControlPlane, calls };
}

/** An Invoker that records its inputs and answers with `answer` (default: 200 `{"ok":true}`). */
export function recordingInvoker(
  answer: (input: InvokeInput) => Promise<InvokeOutput> = () =>
    Promise.resolve({
      statusCode: 200,
      executedVersion: '$LATEST',
      payload: Buffer.from('{"ok":true}'),
    }),
): { invoker: Invoker; inputs: InvokeInput[] } {
  const inputs: InvokeInput[] = [];
  return {
    invoker: {
      invoke: (input) => {
        inputs.push(input);
        return answer(input);
      },
    },
    inputs,
  };
}

export interface Api {
  readonly url: string;
  readonly port: number;
  readonly client: LambdaClient;
  readonly calls: Call[];
  readonly inputs: InvokeInput[];
  readonly records: ApiRequestRecord[];
}

export interface ApiOptions {
  readonly control?: Partial<ControlPlane>;
  readonly invoke?: (input: InvokeInput) => Promise<InvokeOutput>;
  readonly verifySignature?: ApiHandlerOptions['verifySignature'];
}

/** Starts the API on port 0 and closes it (and the client) when the test ends. */
export async function startApi(t: TestContext, options: ApiOptions = {}): Promise<Api> {
  const { control, calls } = recordingControl(options.control);
  const { invoker, inputs } = recordingInvoker(options.invoke);
  const records: ApiRequestRecord[] = [];
  const server = createServer(
    createApiHandler({
      control,
      invoker,
      ctx: CTX,
      onRequest: (record) => records.push(record),
      ...(options.verifySignature === undefined
        ? {}
        : { verifySignature: options.verifySignature }),
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const client = new LambdaClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
    // Error tests answer 429/500 on purpose: one attempt, no backoff.
    maxAttempts: 1,
  });
  t.after(async () => {
    client.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return { url, port, client, calls, inputs, records };
}

/** The calls made to one ControlPlane method. */
export function callsTo(api: Api, method: keyof ControlPlane): (readonly unknown[])[] {
  return api.calls.filter((c) => c.method === method).map((c) => c.args);
}
