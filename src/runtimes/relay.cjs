// TCP relays inside a namespace sandbox.
//
// The sandbox has its own network namespace, so the platform's Runtime API and Fogbank's
// own API are bound into it as Unix sockets. Code written for Lambda expects host:port
// (extensions, the AWS SDK, the official runtime interface clients), so this module
// listens on 127.0.0.1:<port> inside the sandbox and pipes every connection to the
// matching socket. Contract (set by src/sandbox, see src/runtimes/README.md):
//   AWS_LAMBDA_RUNTIME_API=host:port    _FOGBANK_RUNTIME_SOCKET=<Runtime API socket>
//   AWS_ENDPOINT_URL=http://127.0.0.1:p _FOGBANK_API_SOCKET=<Fogbank API socket>

'use strict';

const { createConnection, createServer, isIP } = require('node:net');

const PRIVATE_PREFIX = '_FOGBANK_';

/**
 * Starts the relays the environment asks for, then removes the `_FOGBANK_*` variables from
 * `env` so that user code and child processes never see them.
 * Returns the Runtime API socket path, or undefined in process mode (plain TCP).
 */
function startSandboxRelays(env) {
  const runtimeSocket = env._FOGBANK_RUNTIME_SOCKET;
  const apiSocket = env._FOGBANK_API_SOCKET;
  if (runtimeSocket && env.AWS_LAMBDA_RUNTIME_API) {
    const { host, port } = splitHostPort(env.AWS_LAMBDA_RUNTIME_API);
    startRelay(host, port, runtimeSocket);
  }
  if (apiSocket && env.AWS_ENDPOINT_URL) {
    const url = new URL(env.AWS_ENDPOINT_URL);
    startRelay(url.hostname, Number(url.port || 80), apiSocket);
  }
  for (const name of Object.keys(env)) {
    if (name.startsWith(PRIVATE_PREFIX)) {
      delete env[name];
    }
  }
  return runtimeSocket || undefined;
}

/** Splits `host:port` (the AWS_LAMBDA_RUNTIME_API format). */
function splitHostPort(hostPort) {
  const colon = hostPort.lastIndexOf(':');
  return { host: hostPort.slice(0, colon), port: Number(hostPort.slice(colon + 1)) };
}

/**
 * Listens on host:port and pipes each connection to the Unix socket at socketPath.
 * Everything is unref'd: a relay must never keep the Node event loop alive, or a callback
 * handler with callbackWaitsForEmptyEventLoop=true would never see the loop drain.
 */
function startRelay(host, port, socketPath) {
  // Names other than IP literals would need a DNS lookup inside the sandbox; the relay is
  // loopback-only by design.
  const bindHost = isIP(host) ? host : '127.0.0.1';
  const server = createServer({ noDelay: true }, (client) => {
    const upstream = createConnection(socketPath);
    client.unref();
    upstream.unref();
    const destroyBoth = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', destroyBoth);
    upstream.on('error', destroyBoth);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  server.on('error', (err) => {
    process.stderr.write(
      `fogbank relay: cannot serve ${bindHost}:${port} -> ${socketPath}: ${err.message}\n`,
    );
  });
  server.listen(port, bindHost);
  server.unref();
  return server;
}

module.exports = { startSandboxRelays, splitHostPort, startRelay };
