/**
 * Deployment packages are untrusted: traversal, absolute paths, escaping symlinks, bombs and
 * corrupt archives are refused with InvalidParameterValueException, and nothing is kept.
 */
import assert from 'node:assert/strict';
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { ServiceError } from '../../src/core/errors.js';
import { extractZip } from '../../src/control/zip-extract.js';
import { createBody, makeZip, rejectsWith, settle, snapshot, startRegistry } from './helpers.js';

const BAD_ZIP =
  /^Could not unzip uploaded file\. Please check your file, then try to upload again\. \(/;
const SYMLINK = 0o120777;

const CENTRAL_HEADER = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;

/** Rewrites fields of every local and central header (offsets per APPNOTE 4.3.7 / 4.3.12). */
function patchHeaders(
  zip: Buffer,
  fields: { method?: number; compressedSize?: number; uncompressedSize?: number },
): Buffer {
  const out = Buffer.from(zip);
  for (let i = 0; i + 4 <= out.length; i++) {
    const signature = out.readUInt32LE(i);
    if (signature === LOCAL_HEADER) {
      if (fields.method !== undefined) {
        out.writeUInt16LE(fields.method, i + 8);
      }
      if (fields.compressedSize !== undefined) {
        out.writeUInt32LE(fields.compressedSize, i + 18);
      }
      if (fields.uncompressedSize !== undefined) {
        out.writeUInt32LE(fields.uncompressedSize, i + 22);
      }
    } else if (signature === CENTRAL_HEADER) {
      if (fields.method !== undefined) {
        out.writeUInt16LE(fields.method, i + 10);
      }
      if (fields.compressedSize !== undefined) {
        out.writeUInt32LE(fields.compressedSize, i + 20);
      }
      if (fields.uncompressedSize !== undefined) {
        out.writeUInt32LE(fields.uncompressedSize, i + 24);
      }
    }
  }
  return out;
}

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;

/** The same archive with its (single) central directory record repeated `copies` times. */
function overlapping(zip: Buffer, copies: number): Buffer {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  assert.equal(zip.readUInt32LE(end), END_OF_CENTRAL_DIRECTORY);
  const size = zip.readUInt32LE(end + 12);
  const offset = zip.readUInt32LE(end + 16);
  const record = zip.subarray(offset, offset + size);
  const eocd = Buffer.from(zip.subarray(end));
  eocd.writeUInt16LE(copies, 8);
  eocd.writeUInt16LE(copies, 10);
  eocd.writeUInt32LE(size * copies, 12);
  return Buffer.concat([
    zip.subarray(0, offset),
    ...Array.from({ length: copies }, () => record),
    eocd,
  ]);
}

async function refuses(t: TestContext, zip: Buffer, message: string | RegExp): Promise<void> {
  const { registry, store, dataDir } = await startRegistry(t);
  const before = await snapshot(store);
  await rejectsWith(
    registry.createFunction(createBody('f', { Code: { ZipFile: zip.toString('base64') } })),
    {
      code: 'InvalidParameterValueException',
      status: 400,
      message,
    },
  );
  assert.deepEqual(await snapshot(store), before);
  assert.deepEqual(await readdir(join(dataDir, 'code')), [], 'nothing kept, no temporary left');
}

test('refuses an entry that climbs out with ../', async (t) => {
  await refuses(
    t,
    makeZip({ 'index.js': 'x', '../evil.sh': 'rm -rf /' }),
    "Could not unzip uploaded file. Please check your file, then try to upload again. (entry '../evil.sh' would be written outside the function's directory)",
  );
});

test('refuses an entry with an absolute path', async (t) => {
  await refuses(
    t,
    makeZip({ '/etc/cron.d/evil': 'x' }),
    /entry '\/etc\/cron\.d\/evil' would be written outside/,
  );
});

test('refuses a symlink to an absolute path (/etc/passwd)', async (t) => {
  await refuses(
    t,
    makeZip({ 'index.js': 'x', passwd: { data: '/etc/passwd', mode: SYMLINK } }),
    /symbolic link 'passwd' points outside the package \(\/etc\/passwd\)/,
  );
});

test('refuses a relative symlink that leads out of the tree', async (t) => {
  await refuses(
    t,
    makeZip({ 'lib/up': { data: '../../../etc', mode: SYMLINK } }),
    /symbolic link 'lib\/up' points outside/,
  );
});

test('refuses a chain of symlinks that steps out although each looks harmless', async (t) => {
  // here -> "." and out -> "here/.." read as inside the tree, but out resolves to its parent.
  await refuses(
    t,
    makeZip({ here: { data: '.', mode: SYMLINK }, out: { data: 'here/..', mode: SYMLINK } }),
    /symbolic link 'out' points outside/,
  );
});

test('refuses an entry that would be written through a symlink of the archive', async (t) => {
  await refuses(
    t,
    makeZip({ dir: { data: 'real', mode: SYMLINK }, 'real/.keep': '', 'dir/file.js': 'x' }),
    /entry 'dir\/file\.js' lies beneath the symlink 'dir'/,
  );
});

test('refuses a bomb that declares more than 250 MB unzipped', async (t) => {
  const zip = patchHeaders(makeZip({ 'a.bin': 'a'.repeat(1000) }), {
    uncompressedSize: 0xfffffff0,
  });
  await refuses(t, zip, 'Unzipped size must be smaller than 262144000 bytes');
});

test('refuses an overlapping-entries bomb: many records pointing at the same data', async (t) => {
  // One honest 1 MiB entry, its central record repeated 300 times: 300 MiB from a 1 KiB zip.
  const zip = overlapping(makeZip({ 'a.bin': { data: new Uint8Array(1024 * 1024) } }), 300);
  assert.ok(zip.length < 100_000);
  await refuses(t, zip, 'Unzipped size must be smaller than 262144000 bytes');
});

test('refuses an entry whose declared size is less than what it inflates to', async (t) => {
  const original = makeZip({ 'a.txt': 'a'.repeat(10_000) });
  await refuses(t, patchHeaders(original, { uncompressedSize: 100 }), BAD_ZIP);
});

test('refuses an entry that claims a ratio deflate cannot produce', async (t) => {
  const original = makeZip({ 'a.txt': 'hello' });
  await refuses(
    t,
    patchHeaders(original, { uncompressedSize: 200_000_000 }),
    /impossible compression ratio/,
  );
});

test('refuses entries compressed with a method it cannot inflate', async (t) => {
  await refuses(
    t,
    patchHeaders(makeZip({ 'a.txt': 'hello hello hello' }), { method: 12 }),
    /compression method/,
  );
});

test("refuses a corrupt or truncated archive with AWS's text", async (t) => {
  const zip = makeZip({ 'index.js': 'exports.handler = 1;'.repeat(50) });
  await refuses(t, zip.subarray(0, zip.length - 30), BAD_ZIP);
  const { registry } = await startRegistry(t);
  await rejectsWith(
    registry.createFunction(
      createBody('g', { Code: { ZipFile: Buffer.from('not a zip at all').toString('base64') } }),
    ),
    {
      code: 'InvalidParameterValueException',
      status: 400,
      message:
        /^Could not unzip uploaded file\. Please check your file, then try to upload again\./,
    },
  );
});

test('extractZip refuses more entries than the limit', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'fogbank-zip-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await assert.rejects(
    extractZip(makeZip({ a: '1', b: '2', c: '3' }), dir, { maxEntries: 2, maxUnzippedBytes: 1000 }),
    (error: unknown) => error instanceof ServiceError && /more than 2 entries/.test(error.message),
  );
});

test('extractZip refuses entries whose declared sizes add up past the limit', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'fogbank-zip-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await assert.rejects(
    extractZip(makeZip({ a: 'x'.repeat(600), b: 'y'.repeat(600) }), dir, {
      maxEntries: 10,
      maxUnzippedBytes: 1000,
    }),
    (error: unknown) =>
      error instanceof ServiceError &&
      error.message === 'Unzipped size must be smaller than 1000 bytes',
  );
});

test('keeps safe symlinks, directories, and the executable bit; everything read-only for all', async (t) => {
  const { registry, clock } = await startRegistry(t);
  const zip = makeZip({
    'bin/': { mode: 0o040755 },
    bootstrap: { data: '#!/bin/sh\nexec node index.js\n', mode: 0o100755 },
    'lib/util.js': { data: 'module.exports = 1;', mode: 0o100644 },
    'lib/current': { data: 'util.js', mode: SYMLINK },
    'index.js': 'plain entry without unix attributes',
  });
  await registry.createFunction(
    createBody('f', { Runtime: 'provided.al2023', Code: { ZipFile: zip.toString('base64') } }),
  );
  await settle(clock);
  const { codeDir } = await registry.resolve('f', undefined);
  const mode = async (path: string): Promise<number> =>
    (await lstat(join(codeDir, path))).mode & 0o7777;
  assert.equal(await mode('bootstrap'), 0o555);
  assert.equal(await mode('lib/util.js'), 0o444);
  assert.equal(await mode('index.js'), 0o444);
  assert.equal(await mode('lib'), 0o555);
  assert.equal(await mode('bin'), 0o555);
  assert.equal(await mode('.'), 0o555);
  assert.equal(await readlink(join(codeDir, 'lib/current')), 'util.js');
  assert.equal(await readFile(join(codeDir, 'lib/current'), 'utf8'), 'module.exports = 1;');
  // Reachable by another uid: every directory up from the package is world-traversable.
  assert.equal((await stat(join(codeDir, '..'))).mode & 0o005, 0o005);
});

test('stores identical packages once, even when uploaded concurrently', async (t) => {
  const { registry, dataDir, clock } = await startRegistry(t);
  const zip = makeZip({ 'index.js': 'shared code' }).toString('base64');
  const [a, b] = await Promise.all([
    registry.createFunction(createBody('a', { Code: { ZipFile: zip } })),
    registry.createFunction(createBody('b', { Code: { ZipFile: zip } })),
  ]);
  await registry.createFunction(createBody('c', { Code: { ZipFile: zip } }));
  assert.equal(a.CodeSha256, b.CodeSha256);
  const hex = Buffer.from(a.CodeSha256 ?? '', 'base64').toString('hex');
  assert.deepEqual((await readdir(join(dataDir, 'code'))).sort(), [hex, `${hex}.zip`]);
  await settle(clock);
  const dirs = await Promise.all(
    ['a', 'b', 'c'].map(async (n) => (await registry.resolve(n, undefined)).codeDir),
  );
  assert.deepEqual(new Set(dirs), new Set([join(dataDir, 'code', hex)]));
});

test('unpacks a package again if its tree went missing', async (t) => {
  const { registry, dataDir, clock, restart } = await startRegistry(t);
  const created = await registry.createFunction(createBody('f'));
  await settle(clock);
  const hex = Buffer.from(created.CodeSha256 ?? '', 'base64').toString('hex');
  const tree = join(dataDir, 'code', hex);
  await rm(tree, { recursive: true, force: true });
  const second = await restart();
  const { codeDir } = await second.resolve('f', undefined);
  assert.equal(codeDir, tree);
  assert.match(await readFile(join(codeDir, 'index.js'), 'utf8'), /hello/);
});

test('a restart drops packages no version uses and leftovers of crashed unpacks', async (t) => {
  const { registry, dataDir, clock, restart } = await startRegistry(t);
  await registry.createFunction(createBody('keep'));
  const gone = await registry.createFunction(
    createBody('gone', { Code: { ZipFile: makeZip({ 'x.js': 'x' }).toString('base64') } }),
  );
  await settle(clock);
  await registry.deleteFunction('gone');
  await mkdir(join(dataDir, 'code', '.tmp-crashed'));
  await restart();
  const goneHex = Buffer.from(gone.CodeSha256 ?? '', 'base64').toString('hex');
  const left = await readdir(join(dataDir, 'code'));
  assert.equal(left.length, 2);
  assert.ok(!left.some((name) => name.startsWith(goneHex) || name.startsWith('.tmp-')));
});
