import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { LogCollector } from '../../src/sandbox/log-collector.js';

test('collects complete lines from stdout and stderr; a partial line waits for its newline', async () => {
  const script = `
    process.stdout.write('one\\ntw');
    setTimeout(() => {
      process.stdout.write('o\\n');
      process.stderr.write('err ü\\n');
      process.stdout.write('unterminated');
      process.stdin.once('data', () => process.exit(0));
    }, 50);
  `;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'pipe'] });
  const logs = new LogCollector();
  logs.attach(child.stdout);
  logs.attach(child.stderr);
  await once(child.stdout, 'data');
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(logs.take(), 'one\n', 'the half-written "two" is held back');
  await new Promise((r) => setTimeout(r, 150));
  assert.deepEqual(logs.take().split('\n').sort(), ['', 'err ü', 'two']);
  child.stdin.end('go');
  await once(child, 'close');
  assert.equal(logs.take(), '');
  logs.flushPartials();
  assert.equal(logs.take(), 'unterminated\n', 'completed with a newline at exit');
});
