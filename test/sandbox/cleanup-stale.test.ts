/**
 * A server killed with SIGKILL leaves its environments behind (a frozen one cannot even die
 * until thawed); cleanupStale on the next start removes every trace.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { access, mkdir, mkdtemp, readFile, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  childGroups,
  detectCgroupHierarchy,
  removeCgroupDirs,
  serverGroupDirs,
} from '../../src/sandbox/cgroup.js';
import { cleanupStale } from '../../src/sandbox/index.js';
import { environmentDirs, FIXTURES, type IsolationName, processesWithMarker } from './helpers.js';
import { NAMESPACE_UNAVAILABLE } from './skips.js';

const hierarchy = await detectCgroupHierarchy();

async function cgroupsOf(runDir: string): Promise<string[]> {
  const groups = [...new Set(serverGroupDirs(hierarchy, runDir).values())];
  return (await Promise.all(groups.map(childGroups))).flat();
}

for (const isolation of ['process', 'namespace'] as const satisfies readonly IsolationName[]) {
  const skip = isolation === 'namespace' ? (NAMESPACE_UNAVAILABLE ?? false) : false;
  describe(`cleanupStale after kill -9 (${isolation})`, { skip }, () => {
    test('removes leftover processes, cgroups and environment directories', async (t) => {
      const runDir = await mkdtemp(join(tmpdir(), 'fogbank-stale-'));
      t.after(() => rm(runDir, { recursive: true, force: true }));
      const marker = `stale-${isolation}-${Date.now()}`;
      const server = spawn(
        process.execPath,
        [join(FIXTURES, 'stale-server.mjs'), isolation, runDir, marker],
        {
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      t.after(() => server.kill('SIGKILL'));
      await once(server.stdout, 'data');
      server.kill('SIGKILL');
      await once(server, 'exit');

      const leftProcesses = await processesWithMarker(marker);
      assert.ok(leftProcesses.length > 0, 'the killed server left processes behind');
      assert.equal((await environmentDirs(runDir)).length, 2);
      const leftCgroups = await cgroupsOf(runDir);
      if (hierarchy.parents.size > 0) {
        assert.ok(leftCgroups.length >= 1);
      }

      const report = await cleanupStale(runDir);
      assert.ok(report.processes >= 1);
      assert.equal(report.directories, 2);
      assert.ok(report.cgroups >= leftCgroups.length);
      assert.deepEqual(await processesWithMarker(marker), []);
      assert.deepEqual(await environmentDirs(runDir), []);
      assert.deepEqual(await cgroupsOf(runDir), []);
      assert.equal((await cleanupStale(runDir)).directories, 0, 'idempotent');
    });

    test(
      'also sweeps the frozen environments of other dead servers',
      {
        skip: hierarchy.parents.has('freezer') ? false : 'no cgroup freezer: nothing stays frozen',
      },
      async (t) => {
        const deadRunDir = await mkdtemp(join(tmpdir(), 'fogbank-stale-dead-'));
        const freshRunDir = await mkdtemp(join(tmpdir(), 'fogbank-stale-fresh-'));
        t.after(() => rm(deadRunDir, { recursive: true, force: true }));
        t.after(() => rm(freshRunDir, { recursive: true, force: true }));
        const marker = `orphan-${isolation}-${Date.now()}`;
        const server = spawn(
          process.execPath,
          [join(FIXTURES, 'stale-server.mjs'), isolation, deadRunDir, marker],
          { stdio: ['ignore', 'pipe', 'inherit'] },
        );
        t.after(() => server.kill('SIGKILL'));
        await once(server.stdout, 'data');
        server.kill('SIGKILL');
        await once(server, 'exit');
        assert.ok((await processesWithMarker(marker)).length > 0);
        await cleanupStale(freshRunDir);
        assert.deepEqual(await processesWithMarker(marker), [], 'the frozen orphans are gone');
        for (const group of await cgroupsOf(deadRunDir)) {
          // Only a group emptied by the server's death (a busy sandbox dies with its parent)
          // may remain, until it has been empty for a minute.
          assert.equal(await readFile(join(group, 'cgroup.procs'), 'utf8'), '');
        }
      },
    );
  });
}

test(
  'cleanupStale removes empty environment cgroups of other servers once they are old',
  {
    skip: hierarchy.parents.size === 0 ? 'no usable cgroups on this machine' : false,
  },
  async (t) => {
    const deadRunDir = await mkdtemp(join(tmpdir(), 'fogbank-stale-empty-'));
    t.after(() => rm(deadRunDir, { recursive: true, force: true }));
    const groups = [...new Set(serverGroupDirs(hierarchy, deadRunDir).values())];
    const old = groups.map((g) => join(g, 'a'.repeat(32)));
    const recent = groups.map((g) => join(g, 'b'.repeat(32)));
    for (const dir of [...old, ...recent]) {
      await mkdir(dir, { recursive: true });
    }
    t.after(() => removeCgroupDirs([...old, ...recent, ...groups]));
    const tenMinutesAgo = new Date(Date.now() - 600_000);
    for (const dir of old) {
      await utimes(dir, tenMinutesAgo, tenMinutesAgo);
    }
    await cleanupStale(join(tmpdir(), `fogbank-unrelated-${Date.now()}`));
    for (const dir of old) {
      await assert.rejects(access(dir), `${dir} was removed`);
    }
    for (const dir of recent) {
      await access(dir);
    }
  },
);

test('cleanupStale accepts a run directory that does not exist yet', async () => {
  // Other servers' orphans on this machine may be counted too; this run dir has nothing.
  const report = await cleanupStale(join(tmpdir(), `fogbank-missing-${Date.now()}`));
  assert.equal(report.directories, 0);
});
