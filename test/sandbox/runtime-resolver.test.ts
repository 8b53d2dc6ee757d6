import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { resolveRuntime } from '../../src/sandbox/index.js';

test('nodejs runtimes run on this Node.js, with a note when the major differs', () => {
  const major = Number(process.versions.node.split('.')[0]);
  assert.deepEqual(resolveRuntime(`nodejs${major}.x`), {
    runtime: `nodejs${major}.x`,
    family: 'nodejs',
    interpreter: process.execPath,
    version: process.version,
  });
  const other = major === 22 ? 24 : 22;
  assert.equal(
    resolveRuntime(`nodejs${other}.x`)?.note,
    `nodejs${other}.x runs on Node.js ${process.version}`,
  );
});

test('python runtimes use a system python, the exact minor when there is one', () => {
  const info = resolveRuntime('python3.12');
  assert.ok(info !== undefined, 'this machine has a python3');
  assert.equal(info.family, 'python');
  assert.match(
    info.interpreter ?? '',
    /^\/(usr\/(local\/)?)?s?bin\/python3(\.12)?$/,
    'never a shim under /root',
  );
  assert.match(info.version ?? '', /^3\.\d+\.\d+/);
  assert.equal(info.note === undefined, info.version?.startsWith('3.12.'));
  if (info.note !== undefined) {
    assert.equal(info.note, `python3.12 runs on Python ${info.version ?? ''}`);
  }
});

test('python3.X on the search path wins over python3', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'fogbank-python-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const fake = join(dir, 'python3.13');
  await writeFile(fake, '#!/bin/sh\necho "Python 3.13.1"\n');
  await chmod(fake, 0o755);
  assert.deepEqual(resolveRuntime('python3.13', [dir, '/usr/bin']), {
    runtime: 'python3.13',
    family: 'python',
    interpreter: fake,
    version: '3.13.1',
  });
  assert.equal(resolveRuntime('python3.14', [dir]), undefined, 'no python at all there');
});

test('provided runtimes run their own bootstrap; unknown runtimes are undefined', () => {
  assert.deepEqual(resolveRuntime('provided.al2023'), {
    runtime: 'provided.al2023',
    family: 'provided',
  });
  assert.deepEqual(resolveRuntime('provided.al2'), { runtime: 'provided.al2', family: 'provided' });
  assert.equal(resolveRuntime('java21'), undefined);
  assert.equal(resolveRuntime('nodejs'), undefined);
  assert.equal(resolveRuntime('python2.7'), undefined);
});
