/**
 * The real API handler over a real registry (SQLite, code store) on port 0, with a real
 * LambdaClient: for the operations whose answers the registry shapes, routing, status codes and
 * the SDK's parsing are checked end to end. Invocations go to a recording Invoker.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { createApiHandler } from '../../src/api/index.js';
import { CTX, settle, startRegistry, type Harness } from '../control/helpers.js';
import { recordingInvoker } from './harness.js';

// The SDK warns once per process that it will drop Node 20 in 2027; that is noise in test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

export interface RegistryApi extends Harness {
  readonly url: string;
  readonly client: LambdaClient;
  /** Lets the registry's lifecycle transitions run. */
  readonly settle: () => Promise<void>;
}

export async function startRegistryApi(
  t: TestContext,
  options: { accountConcurrency?: number } = {},
): Promise<RegistryApi> {
  const harness = await startRegistry(t, options);
  const { invoker } = recordingInvoker();
  const server = createServer(createApiHandler({ control: harness.registry, invoker, ctx: CTX }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${String(port)}`;
  const client = new LambdaClient({
    endpoint: url,
    region: CTX.region,
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
    maxAttempts: 1,
  });
  t.after(async () => {
    client.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return { ...harness, url, client, settle: () => settle(harness.clock) };
}
