/**
 * The namespace-sandbox contract (src/runtimes/README.md): the Runtime API and Fogbank's API
 * arrive as Unix sockets (_FOGBANK_RUNTIME_SOCKET, _FOGBANK_API_SOCKET); runtimes use the
 * Runtime API socket directly and relay 127.0.0.1:<port> to the sockets for code that wants
 * host:port. Here the sockets live in a temporary directory and the relays listen on free
 * loopback ports of this machine.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { TestContext } from 'node:test';
import { RuntimeApiServer } from '../helpers/runtime-api-server.js';
import { startRuntime } from '../helpers/runtime-process.js';
import type { RuntimeKind, RuntimeProcess } from '../helpers/runtime-process.js';

async function freePort(): Promise<number> {
  const server = createNetServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Fogbank's API, as a function would reach it: here it answers GET /hello. */
async function startApi(socketPath: string): Promise<Server> {
  const api = createServer((req, res) => {
    res.end(req.url === '/hello' ? 'hello from fogbank' : 'unexpected');
  });
  api.listen(socketPath);
  await once(api, 'listening');
  return api;
}

interface SandboxedRuntime {
  readonly server: RuntimeApiServer;
  readonly runtime: RuntimeProcess;
  readonly runtimePort: number;
}

async function startSandboxed(
  t: TestContext,
  runtime: RuntimeKind,
  fixture: string,
  handler: string,
  options: { env?: Record<string, string>; prepare?: (taskRoot: string) => void } = {},
): Promise<SandboxedRuntime> {
  const dir = mkdtempSync(join(tmpdir(), 'fogbank-sockets-'));
  const runtimeSocket = join(dir, 'runtime.sock');
  const apiSocket = join(dir, 'api.sock');
  const server = await RuntimeApiServer.start({ socketPath: runtimeSocket });
  const api = await startApi(apiSocket);
  const runtimePort = await freePort();
  const apiPort = await freePort();
  const process = startRuntime({
    runtime,
    fixture,
    handler,
    runtimeApi: `127.0.0.1:${runtimePort}`,
    env: {
      _FOGBANK_RUNTIME_SOCKET: runtimeSocket,
      _FOGBANK_API_SOCKET: apiSocket,
      AWS_ENDPOINT_URL: `http://127.0.0.1:${apiPort}`,
      ...options.env,
    },
    ...(options.prepare === undefined ? {} : { prepare: options.prepare }),
  });
  t.after(async () => {
    await process.stop();
    await server.close();
    api.closeAllConnections();
    await new Promise((resolve) => api.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });
  return { server, runtime: process, runtimePort };
}

function json(body: Buffer): Record<string, unknown> {
  return JSON.parse(body.toString('utf8')) as Record<string, unknown>;
}

describe('nodejs runtime in a namespace sandbox', { timeout: 20_000 }, () => {
  it('uses the Runtime API socket and relays AWS_ENDPOINT_URL to the API socket', async (t) => {
    const { server, runtime } = await startSandboxed(t, 'nodejs', 'node-cjs', 'index.callApi');
    // callApi completes by callback with callbackWaitsForEmptyEventLoop = true after an
    // HTTP keep-alive request through the relay: it answers only if the relay lets the
    // event loop drain.
    const reply = await server.invoke({});
    assert.equal(reply.kind, 'response', runtime.stderr());
    assert.deepEqual(json(reply.body), { body: 'hello from fogbank', privateVariables: [] });
    assert.equal(server.connections.unix, 1);
    assert.equal(server.connections.tcp, 0);
  });

  it('relays 127.0.0.1:<port of AWS_LAMBDA_RUNTIME_API> to the Runtime API socket', async (t) => {
    const { server, runtimePort } = await startSandboxed(t, 'nodejs', 'node-cjs', 'index.echo');
    await server.nextPolled();
    // A client of the TCP address (an extension, say) reaches the same Runtime API.
    const init = await fetch(
      `http://127.0.0.1:${runtimePort}/2018-06-01/runtime/invocation/x/response`,
      {
        method: 'POST',
        body: '{}',
      },
    );
    assert.equal(init.status, 400);
    assert.deepEqual(await init.json(), {
      errorMessage: 'Invalid request ID',
      errorType: 'InvalidRequestID',
    });
    assert.equal(server.connections.unix, 2);
  });
});

describe('python runtime in a namespace sandbox', { timeout: 20_000 }, () => {
  it('uses the Runtime API socket and relays AWS_ENDPOINT_URL in a daemon thread', async (t) => {
    const { server, runtime } = await startSandboxed(t, 'python', 'python-app', 'app.call_api');
    const reply = await server.invoke({});
    assert.equal(reply.kind, 'response', runtime.stdout() + runtime.stderr());
    assert.deepEqual(json(reply.body), { body: 'hello from fogbank', private_variables: [] });
    assert.equal(server.connections.unix, 1);
    assert.equal(server.connections.tcp, 0);
  });
});

describe('provided launcher', { timeout: 20_000 }, () => {
  it('runs $LAMBDA_TASK_ROOT/bootstrap, which reaches the Runtime API through the relay', async (t) => {
    const { server, runtime } = await startSandboxed(t, 'provided', 'provided-bootstrap', '');
    const reply = await server.invoke({ hello: 'world' }, { requestId: 'req-provided' });
    assert.equal(reply.kind, 'response', runtime.stderr());
    assert.deepEqual(json(reply.body), {
      event: { hello: 'world' },
      privateVariables: [],
      cwd: runtime.taskRoot,
    });
    assert.equal(server.connections.tcp, 0);
    assert.ok(server.connections.unix >= 1);
    await runtime.stop();
    assert.match(runtime.stdout(), /^bootstrap handling req-provided$/m, 'inherits stdout');
  });

  it('forwards SIGTERM and exits with the bootstrap exit code', async (t) => {
    const { server, runtime } = await startSandboxed(t, 'provided', 'provided-bootstrap', '', {
      env: { EXIT_CODE_ON_SIGTERM: '42' },
    });
    await server.nextPolled();
    runtime.child.kill('SIGTERM');
    assert.deepEqual(await runtime.exited, { code: 42, signal: null });
    assert.match(runtime.stdout(), /^bootstrap got SIGTERM$/m);
  });

  it('dies of the signal that killed the bootstrap', async (t) => {
    const { server, runtime } = await startSandboxed(t, 'provided', 'provided-bootstrap', '');
    await server.nextPolled();
    runtime.child.kill('SIGTERM');
    assert.deepEqual(await runtime.exited, { code: null, signal: 'SIGTERM' });
  });

  it('reports Runtime.InvalidEntrypoint when there is no bootstrap', async (t) => {
    const { server, runtime } = await startSandboxed(t, 'provided', 'provided-bootstrap', '', {
      prepare: (taskRoot) => {
        rmSync(join(taskRoot, 'bootstrap'));
      },
    });
    const reply = await server.initError();
    assert.deepEqual(json(reply.body), {
      errorMessage: `Couldn't find valid bootstrap(s): [${join(runtime.taskRoot, 'bootstrap')} /opt/bootstrap]`,
      errorType: 'Runtime.InvalidEntrypoint',
    });
    assert.equal(reply.headers['lambda-runtime-function-error-type'], 'Runtime.InvalidEntrypoint');
    assert.equal((await runtime.exited).code, 1);
  });
});
