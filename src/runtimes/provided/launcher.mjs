// Launcher for `provided.al2` / `provided.al2023` functions in a namespace sandbox.
//
// A custom runtime is any executable named `bootstrap` that speaks the Runtime API at
// http://$AWS_LAMBDA_RUNTIME_API. Inside a namespace sandbox that API is a Unix socket, so
// this launcher first starts the TCP relays (relay.cjs), then runs the bootstrap with the
// same stdio and environment (minus the _FOGBANK_* variables), forwards termination signals
// and exits the way the bootstrap did. In process mode the platform runs the bootstrap
// directly and this file is not used.

import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { constants } from 'node:os';
import path from 'node:path';
import { splitHostPort, startSandboxRelays } from '../relay.cjs';

const env = process.env;
const runtimeApi = env.AWS_LAMBDA_RUNTIME_API;
const runtimeSocket = startSandboxRelays(env);
const candidates = [path.join(env.LAMBDA_TASK_ROOT || '/var/task', 'bootstrap'), '/opt/bootstrap'];
const entrypoint = candidates.find(isFile);

if (entrypoint === undefined) {
  await failInit(`Couldn't find valid bootstrap(s): [${candidates.join(' ')}]`);
} else {
  run(entrypoint);
}

function isFile(file) {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function run(file) {
  const child = spawn(file, [], { stdio: 'inherit', env, cwd: process.cwd() });
  const forward = (signal) => child.kill(signal);
  process.on('SIGTERM', forward);
  process.on('SIGINT', forward);
  child.on('error', (err) => {
    // Lambda reports an entrypoint it cannot execute as Runtime.InvalidEntrypoint too.
    const reason = err.code === 'EACCES' ? 'permission denied' : err.message;
    void failInit(`fork/exec ${file}: ${reason}`);
  });
  child.on('exit', (code, signal) => {
    if (signal !== null) {
      // Die of the same signal, so the platform sees what the runtime saw. Node ignores a
      // few signals (SIGPIPE), hence the exit code a shell would report as the fallback.
      process.removeListener(signal, forward);
      process.kill(process.pid, signal);
      process.exit(128 + constants.signals[signal]);
    }
    process.exit(code ?? 1);
  });
}

/** Reports Runtime.InvalidEntrypoint to /runtime/init/error, then exits. */
async function failInit(message) {
  const { request } = await import('node:http');
  const body = JSON.stringify({ errorMessage: message, errorType: 'Runtime.InvalidEntrypoint' });
  const target = runtimeSocket
    ? { socketPath: runtimeSocket }
    : { host: splitHostPort(runtimeApi).host, port: splitHostPort(runtimeApi).port };
  await new Promise((resolve) => {
    const req = request(
      {
        ...target,
        method: 'POST',
        path: '/2018-06-01/runtime/init/error',
        headers: {
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(body),
          'Lambda-Runtime-Function-Error-Type': 'Runtime.InvalidEntrypoint',
        },
      },
      (res) => {
        res.resume();
        res.on('end', resolve);
      },
    );
    req.on('error', resolve);
    req.end(body);
  });
  process.stderr.write(`${message}\n`);
  process.exit(1);
}
