/**
 * What `namespace` isolation promises beyond the executor contract: one function cannot
 * see another's code, /tmp, processes or Runtime API, nor the network beyond loopback.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { body, ownCodeDir, startPool } from './helpers.js';
import { NAMESPACE_UNAVAILABLE } from './skips.js';

type Attempt = { ok?: unknown; error?: string };

describe('namespace isolation', { skip: NAMESPACE_UNAVAILABLE ?? false }, () => {
  test("a function cannot read another function's code or /tmp", async (t) => {
    const p = await startPool(t, 'namespace');
    const codeA = await ownCodeDir(t);
    const codeB = await ownCodeDir(t, { 'secret.txt': 'only for B' });
    const a = p.spec({ codeDir: codeA });
    const b = p.spec({ codeDir: codeB });
    assert.deepEqual(
      body(await p.invoke(b, { action: 'readFile', path: '/var/task/secret.txt' })),
      { ok: 'only for B' },
    );
    assert.deepEqual(
      body(await p.invoke(a, { action: 'readFile', path: '/var/task/secret.txt' })),
      { error: 'ENOENT' },
    );
    assert.deepEqual(
      body(await p.invoke(a, { action: 'readFile', path: join(codeB, 'secret.txt') })),
      { error: 'ENOENT' },
    );
    assert.deepEqual(
      body(await p.invoke(b, { action: 'writeFile', path: '/tmp/note', content: 'b was here' })),
      { ok: true },
    );
    assert.deepEqual(
      body(await p.invoke(b, { action: 'readFile', path: '/tmp/note' })),
      { ok: 'b was here' },
      'warm /tmp survives',
    );
    assert.deepEqual(body(await p.invoke(a, { action: 'readFile', path: '/tmp/note' })), {
      error: 'ENOENT',
    });
  });

  test('the system is read-only and private places are invisible', async (t) => {
    const p = await startPool(t, 'namespace');
    const spec = p.spec();
    assert.deepEqual(body(await p.invoke(spec, { action: 'uid' })), { uid: 993, gid: 993 });
    const denied = (r: Attempt): boolean => r.error === 'EROFS' || r.error === 'EACCES';
    assert.ok(
      denied(body(await p.invoke(spec, { action: 'writeFile', path: '/var/task/x', content: '' }))),
    );
    assert.ok(
      denied(body(await p.invoke(spec, { action: 'writeFile', path: '/usr/x', content: '' }))),
    );
    assert.ok(
      denied(body(await p.invoke(spec, { action: 'writeFile', path: '/etc/passwd', content: '' }))),
    );
    assert.deepEqual(body(await p.invoke(spec, { action: 'readFile', path: '/root/.bashrc' })), {
      error: 'ENOENT',
    });
    assert.deepEqual(
      body(await p.invoke(spec, { action: 'readFile', path: join(p.runDir, 'x') })),
      { error: 'ENOENT' },
    );
    const shadow = body<Attempt>(await p.invoke(spec, { action: 'readFile', path: '/etc/shadow' }));
    assert.ok(
      shadow.error === 'EACCES' || shadow.error === 'ENOENT',
      `reading /etc/shadow gave ${JSON.stringify(shadow)}`,
    );
  });

  test('a function sees only its own processes', async (t) => {
    const p = await startPool(t, 'namespace');
    const other = p.spec();
    await p.invoke(other, { action: 'sleep', ms: 1 });
    const pids = body<number[]>(await p.invoke(p.spec(), { action: 'processes' }));
    // bubblewrap's init (1), the launcher and the bootstrap: nothing of the host or of `other`.
    assert.ok(pids.length <= 4, `sees ${JSON.stringify(pids)}`);
    assert.ok(pids.includes(1));
    assert.ok(!pids.includes(process.pid));
  });

  test("a function cannot reach another environment's Runtime API", async (t) => {
    const p = await startPool(t, 'namespace');
    const victim = await p.invoke(p.spec(), { action: 'echo' });
    const victimSocket = join(p.runDir, victim.environmentId, 'rt', 'runtime.sock');
    const attacker = p.spec();
    assert.deepEqual(body(await p.invoke(attacker, { action: 'connect', path: victimSocket })), {
      error: 'ENOENT',
    });
    assert.deepEqual(
      body(await p.invoke(attacker, { action: 'connect', path: '/run/fogbank/runtime.sock' })),
      { ok: true },
      'its own socket is the only one it sees',
    );
  });

  test('no network but its own loopback', async (t) => {
    const hostServer = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => hostServer.listen(0, '0.0.0.0', resolve));
    t.after(() => hostServer.close());
    const address = hostServer.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const p = await startPool(t, 'namespace');
    const spec = p.spec();
    assert.deepEqual(body(await p.invoke(spec, { action: 'interfaces' })), ['lo']);
    assert.deepEqual(body(await p.invoke(spec, { action: 'connect', host: '127.0.0.1', port })), {
      error: 'ECONNREFUSED',
    });
    const external = Object.values(networkInterfaces())
      .flat()
      .find((i) => i !== undefined && i.family === 'IPv4' && !i.internal);
    if (external !== undefined) {
      assert.deepEqual(
        body(await p.invoke(spec, { action: 'connect', host: external.address, port })),
        {
          error: 'ENETUNREACH',
        },
      );
    }
    assert.deepEqual(body(await p.invoke(spec, { action: 'connect', host: '1.1.1.1', port: 80 })), {
      error: 'ENETUNREACH',
    });
  });

  test('layers are merged read-only at /opt, a later layer winning', async (t) => {
    const p = await startPool(t, 'namespace');
    const first = await ownCodeDir(t, {
      'shared.txt': 'from the first layer',
      'only-first.txt': 'first',
    });
    const second = await ownCodeDir(t, { 'shared.txt': 'from the second layer' });
    const spec = p.spec({ layerDirs: [first, second] });
    const read = async (path: string): Promise<unknown> =>
      body(await p.invoke(spec, { action: 'readFile', path }));
    assert.deepEqual(await read('/opt/shared.txt'), { ok: 'from the second layer' });
    assert.deepEqual(await read('/opt/only-first.txt'), { ok: 'first' });
    const write = body<Attempt>(
      await p.invoke(spec, { action: 'writeFile', path: '/opt/x', content: '' }),
    );
    assert.ok(write.error === 'EROFS' || write.error === 'EACCES');
    const single = p.spec({ layerDirs: [first] });
    assert.deepEqual(
      body(await p.invoke(single, { action: 'readFile', path: '/opt/shared.txt' })),
      {
        ok: 'from the first layer',
      },
    );
  });

  test('/tmp is private and as large as EphemeralStorage', async (t) => {
    const p = await startPool(t, 'namespace');
    const spec = p.spec({ ephemeralStorageMb: 1 });
    assert.deepEqual(
      body(await p.invoke(spec, { action: 'writeFile', path: '/tmp/small', bytes: 512 * 1024 })),
      { ok: true },
    );
    assert.deepEqual(
      body(await p.invoke(spec, { action: 'writeFile', path: '/tmp/large', bytes: 1024 * 1024 })),
      {
        error: 'ENOSPC',
      },
    );
  });

  test("a function reaches Fogbank's API at AWS_ENDPOINT_URL through the bound socket", async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'fogbank-api-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const apiSocketPath = join(dir, 'api.sock');
    const api = createHttpServer((req, res) =>
      res.end(`api saw ${req.method ?? ''} ${req.url ?? ''}`),
    );
    await new Promise<void>((resolve) => api.listen(apiSocketPath, resolve));
    t.after(() => api.close());
    const p = await startPool(t, 'namespace', { apiSocketPath });
    const spec = p.spec({ apiEndpoint: { host: '127.0.0.1', port: 4566 } });
    assert.deepEqual(
      body(await p.invoke(spec, { action: 'fetch', path: '/2015-03-31/functions' })),
      {
        status: 200,
        body: 'api saw GET /2015-03-31/functions',
      },
    );
  });
});
