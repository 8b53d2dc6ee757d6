import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { describeExit, unwrapSandboxExit, type ExitStatus } from '../../src/sandbox/exit-status.js';
import { NAMESPACE_UNAVAILABLE } from './skips.js';

async function run(file: string, args: string[]): Promise<ExitStatus> {
  const child = spawn(file, args, { stdio: 'ignore' });
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  return { code, signal };
}

test('exit reasons read like Lambda prints them (Go os.ProcessState)', async () => {
  assert.equal(describeExit(await run('/bin/sh', ['-c', 'exit 3'])), 'exit status 3');
  assert.equal(describeExit(await run('/bin/sh', ['-c', 'kill -KILL $$'])), 'signal: killed');
  assert.equal(
    describeExit(await run('/bin/sh', ['-c', 'kill -SEGV $$'])),
    'signal: segmentation fault',
  );
  assert.equal(describeExit(await run('/bin/sh', ['-c', 'kill -ABRT $$'])), 'signal: aborted');
});

test(
  'a signal folded into an exit code by bubblewrap is recovered',
  { skip: NAMESPACE_UNAVAILABLE ?? false },
  async () => {
    const sandbox = (script: string): Promise<ExitStatus> =>
      run('bwrap', [
        '--ro-bind',
        '/',
        '/',
        '--unshare-pid',
        '--die-with-parent',
        '/bin/sh',
        '-c',
        script,
      ]);
    const segv = await sandbox('kill -SEGV $$');
    assert.deepEqual(segv, { code: 139, signal: null }, 'what bubblewrap reports');
    assert.equal(describeExit(unwrapSandboxExit(segv)), 'signal: segmentation fault');
    // The Node.js runtime exits 129 on an uncaught exception: that stays an exit status.
    assert.equal(describeExit(unwrapSandboxExit(await sandbox('exit 129'))), 'exit status 129');
    assert.equal(describeExit(unwrapSandboxExit(await sandbox('exit 7'))), 'exit status 7');
  },
);
