import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { createFunction, json } from '../helpers/functions.js';
import { startServer } from '../helpers/server.js';

/**
 * Pids of processes (other than `except`) whose command line or environment mentions `marker`
 * (environments carry AWS_LAMBDA_FUNCTION_NAME; bubblewrap gets its arguments through a pipe).
 */
function processesMentioning(marker: string, except: readonly number[] = []): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || except.includes(pid) || pid === process.pid) {
      continue;
    }
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const environ = readFileSync(`/proc/${entry}/environ`, 'utf8');
      if (cmdline.includes(marker) || environ.includes(marker)) {
        found.push(pid);
      }
    } catch {
      // The process exited while we looked.
    }
  }
  return found;
}

/** Waits (bounded) until no process mentions `marker`. */
async function settled(marker: string, except: readonly number[] = []): Promise<number[]> {
  let left = processesMentioning(marker, except);
  for (let i = 0; i < 50 && left.length > 0; i++) {
    await sleep(100);
    left = processesMentioning(marker, except);
  }
  return left;
}

describe('server lifecycle', () => {
  it('SIGTERM lets an in-flight invocation finish, then leaves no process behind', async () => {
    const name = `sigterm-${randomUUID().slice(0, 8)}`;
    const marker = `AWS_LAMBDA_FUNCTION_NAME=${name}`;
    const server = await startServer();
    const lambda = server.lambda();
    await createFunction(lambda, {
      FunctionName: name,
      Runtime: 'nodejs20.x',
      Handler: 'index.handler',
      fixture: 'e2e/slow',
    });
    await lambda.send(new InvokeCommand({ FunctionName: name }));
    assert.ok(processesMentioning(marker).length > 0, 'a warm environment exists');
    const inFlight = lambda.send(new InvokeCommand({ FunctionName: name }));
    await sleep(50);
    server.process.kill('SIGTERM');
    const res = await inFlight;
    assert.equal(res.FunctionError, undefined);
    assert.ok((json(res.Payload) as { finished: number }).finished > 0);
    assert.equal(await server.stop(), 0);
    assert.deepEqual(await settled(marker), [], 'no environment outlives the server');
  });

  it('a server killed with -9 is cleaned up after by the next one', async () => {
    const name = `kill9-${randomUUID().slice(0, 8)}`;
    const marker = `AWS_LAMBDA_FUNCTION_NAME=${name}`;
    const dataDir = await mkdtemp(join(tmpdir(), 'fogbank-kill9-'));
    try {
      const first = await startServer({ dataDir });
      const lambda = first.lambda();
      await createFunction(lambda, {
        FunctionName: name,
        Runtime: 'nodejs20.x',
        Handler: 'index.handler',
        fixture: 'e2e/slow',
      });
      await Promise.all(
        [1, 2, 3].map(() => lambda.send(new InvokeCommand({ FunctionName: name }))),
      );
      assert.ok(processesMentioning(marker).length > 0, 'warm environments exist');
      await first.kill();
      const second = await startServer({ dataDir });
      assert.deepEqual(await settled(marker), [], 'environments of the killed server are gone');
      // The function survived the crash and still runs.
      const res = await second.lambda().send(new InvokeCommand({ FunctionName: name }));
      assert.equal(res.FunctionError, undefined);
      assert.equal(await second.stop(), 0);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
