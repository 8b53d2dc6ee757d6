/**
 * Safe extraction of a deployment package. An archive is untrusted input: it may name paths
 * outside the target (`../x`, `/etc/x`), plant symlinks that lead out of the tree, or declare
 * sizes that would fill the disk. Everything is checked against the central directory before
 * a byte is written, and sizes again while inflating.
 */
import { createWriteStream } from 'node:fs';
import { chmod, mkdir, realpath, symlink } from 'node:fs/promises';
import { dirname, join, posix, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { ServiceError, invalidParameter } from '../core/errors.js';

export interface ExtractLimits {
  readonly maxUnzippedBytes: number;
  readonly maxEntries: number;
}

/** AWS's text for an archive it cannot unpack; our reason follows it. */
const BAD_ZIP = 'Could not unzip uploaded file. Please check your file, then try to upload again.';

/** Deflate cannot expand data by more than ~1032:1; a header claiming more is lying. */
const MAX_DEFLATE_RATIO = 1032;
const SYMLINK_TARGET_MAX_BYTES = 4096;

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
/** `versionMadeBy` high byte for archives written on Unix, whose attributes carry a mode. */
const MADE_BY_UNIX = 3;

type EntryKind = 'file' | 'directory' | 'symlink';

interface PlannedEntry {
  readonly entry: Entry;
  /** Normalized relative path, no trailing slash. */
  readonly path: string;
  readonly kind: EntryKind;
  readonly executable: boolean;
}

export function badZip(reason: string): ServiceError {
  return invalidParameter(`${BAD_ZIP} (${reason})`);
}

function tooLarge(limit: number): ServiceError {
  return invalidParameter(`Unzipped size must be smaller than ${String(limit)} bytes`);
}

/**
 * Extracts `zip` into the empty directory `target`. Files become 0444 (0555 when the archive
 * marks them executable) and directories 0555, so any uid can read and none can write.
 * The sum of the sizes the central directory declares is checked before anything is written,
 * and yauzl's validateEntrySizes fails any entry that inflates to more (or less) than it
 * declared, so that sum bounds the bytes written.
 * Throws InvalidParameterValueException for an unsafe or corrupt archive; `target` is then
 * left in an unspecified state for the caller to remove.
 */
export async function extractZip(
  zip: Buffer,
  target: string,
  limits: ExtractLimits,
): Promise<void> {
  const archive = await openArchive(zip);
  const plan = await planEntries(archive, limits);
  const root = await realpath(target);
  const directories = new Set<string>();
  const files: PlannedEntry[] = [];
  const symlinks: { path: string; target: string }[] = [];
  for (const item of plan) {
    const destination = join(root, item.path);
    if (item.kind === 'directory') {
      await mkdir(destination, { recursive: true, mode: 0o755 });
      addDirectories(directories, item.path);
      continue;
    }
    await mkdir(dirname(destination), { recursive: true, mode: 0o755 });
    addDirectories(directories, posix.dirname(item.path));
    const stream = await openEntry(archive, item.entry);
    if (item.kind === 'symlink') {
      const linkTarget = await readSymlinkTarget(stream, item.path);
      symlinks.push({ path: item.path, target: linkTarget });
      continue;
    }
    await writeEntry(stream, destination, item.path);
    files.push(item);
  }
  // Symlinks come last, so no file is ever written through one.
  for (const link of symlinks) {
    await createSymlink(link.target, join(root, link.path), link.path);
  }
  for (const link of symlinks) {
    await assertInside(root, link.path, link.target);
  }
  for (const file of files) {
    await chmod(join(root, file.path), file.executable ? 0o555 : 0o444);
  }
  const deepestFirst = [...directories].sort((a, b) => b.length - a.length);
  for (const dir of deepestFirst) {
    await chmod(join(root, dir), 0o555);
  }
  await chmod(root, 0o555);
}

/**
 * The sum of the entries' uncompressed sizes as the central directory declares them (extraction
 * holds every entry to its declared size), for the 250 MB rule on function code plus layers.
 */
export async function unzippedSizeOf(zip: Buffer): Promise<number> {
  const archive = await openArchive(zip);
  let total = 0;
  try {
    for await (const entry of archive.eachEntry()) {
      total += entry.uncompressedSize;
    }
  } catch (error) {
    throw badZip(describe(error));
  }
  return total;
}

async function openArchive(zip: Buffer): Promise<ZipFile> {
  try {
    return await yauzl.fromBufferPromise(zip, { validateEntrySizes: true, decodeStrings: true });
  } catch (error) {
    throw badZip(describe(error));
  }
}

/** Reads the central directory and decides what every entry is, before anything is written. */
async function planEntries(archive: ZipFile, limits: ExtractLimits): Promise<PlannedEntry[]> {
  if (archive.entryCount > limits.maxEntries) {
    throw badZip(`more than ${String(limits.maxEntries)} entries`);
  }
  const plan: PlannedEntry[] = [];
  let declared = 0;
  try {
    for await (const entry of archive.eachEntry()) {
      declared += entry.uncompressedSize;
      if (declared > limits.maxUnzippedBytes) {
        throw tooLarge(limits.maxUnzippedBytes);
      }
      checkEncoding(entry);
      const planned = planEntry(entry);
      if (planned) {
        plan.push(planned);
      }
    }
  } catch (error) {
    throw isServiceError(error) ? error : badZip(describe(error));
  }
  checkNesting(plan);
  return plan;
}

function checkEncoding(entry: Entry): void {
  if (!entry.canDecodeFileData()) {
    throw badZip(
      `entry '${entry.fileName}' is encrypted or uses a compression method other than deflate`,
    );
  }
  const impossible =
    entry.compressionMethod === 8
      ? entry.uncompressedSize > entry.compressedSize * MAX_DEFLATE_RATIO + 1024
      : entry.uncompressedSize !== entry.compressedSize;
  if (impossible) {
    throw badZip(`entry '${entry.fileName}' declares an impossible compression ratio`);
  }
}

function planEntry(entry: Entry): PlannedEntry | undefined {
  const mode =
    entry.versionMadeBy >> 8 === MADE_BY_UNIX ? (entry.externalFileAttributes >>> 16) & 0xffff : 0;
  const type = mode & S_IFMT;
  // yauzl has already refused absolute paths and `..` segments (validateFileName).
  const path = posix.normalize(entry.fileName).replace(/\/+$/, '');
  if (path === '.' || path === '') {
    return undefined;
  }
  let kind: EntryKind;
  if (entry.fileName.endsWith('/') || type === S_IFDIR) {
    kind = 'directory';
  } else if (type === S_IFLNK) {
    kind = 'symlink';
  } else if (type === S_IFREG || type === 0) {
    kind = 'file';
  } else {
    throw badZip(`entry '${entry.fileName}' is not a file, directory or symbolic link`);
  }
  return { entry, path, kind, executable: (mode & 0o111) !== 0 };
}

/** Refuses entries that would be written beneath a symlink or a file of the same archive. */
function checkNesting(plan: readonly PlannedEntry[]): void {
  const kinds = new Map<string, EntryKind>();
  for (const item of plan) {
    const previous = kinds.get(item.path);
    if (previous !== undefined && previous !== item.kind) {
      throw badZip(`entry '${item.path}' appears twice with different types`);
    }
    kinds.set(item.path, item.kind);
  }
  for (const item of plan) {
    for (let parent = posix.dirname(item.path); parent !== '.'; parent = posix.dirname(parent)) {
      const kind = kinds.get(parent);
      if (kind === 'symlink' || kind === 'file') {
        throw badZip(`entry '${item.path}' lies beneath the ${kind} '${parent}'`);
      }
    }
  }
}

async function openEntry(archive: ZipFile, entry: Entry): Promise<Readable> {
  try {
    return await archive.openReadStreamPromise(entry);
  } catch (error) {
    throw badZip(describe(error));
  }
}

async function writeEntry(stream: Readable, destination: string, path: string): Promise<void> {
  try {
    await pipeline(stream, createWriteStream(destination, { mode: 0o600 }));
  } catch (error) {
    if (isFsConflict(error)) {
      throw badZip(`entry '${path}' collides with another entry`);
    }
    if (isSystemError(error)) {
      throw error;
    }
    throw badZip(describe(error));
  }
}

async function readSymlinkTarget(stream: Readable, path: string): Promise<string> {
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      length += chunk.length;
      if (length > SYMLINK_TARGET_MAX_BYTES) {
        throw badZip(`symbolic link '${path}' has an overlong target`);
      }
      chunks.push(chunk);
    }
  } catch (error) {
    throw isServiceError(error) ? error : badZip(describe(error));
  }
  const target = Buffer.concat(chunks).toString('utf8');
  const resolved = posix.normalize(posix.join(posix.dirname(path), target));
  if (
    target === '' ||
    target.includes('\0') ||
    posix.isAbsolute(target) ||
    resolved === '..' ||
    resolved.startsWith('../')
  ) {
    throw badZip(`symbolic link '${path}' points outside the package (${target})`);
  }
  return target;
}

async function createSymlink(target: string, destination: string, path: string): Promise<void> {
  try {
    await symlink(target, destination);
  } catch (error) {
    if (isFsConflict(error)) {
      throw badZip(`entry '${path}' collides with another entry`);
    }
    throw error;
  }
}

/**
 * Follows a symlink's target one component at a time through the links now on disk, so a
 * chain (`a -> .`, `b -> a/..`) cannot step out of the tree where a purely textual check
 * would see nothing wrong.
 */
async function assertInside(root: string, path: string, target: string): Promise<void> {
  let current = dirname(join(root, path));
  for (const component of target.split('/')) {
    current = join(current, component);
    // A dangling link is followed no further: the kernel cannot resolve past it either.
    current = (await realpathIfResolvable(current)) ?? current;
    if (current !== root && !current.startsWith(root + sep)) {
      throw badZip(`symbolic link '${path}' points outside the package (${target})`);
    }
  }
}

async function realpathIfResolvable(path: string): Promise<string | undefined> {
  try {
    return await realpath(path);
  } catch {
    return undefined;
  }
}

function addDirectories(directories: Set<string>, path: string): void {
  for (let dir = path; dir !== '.' && dir !== ''; dir = posix.dirname(dir)) {
    directories.add(dir);
  }
}

function isServiceError(error: unknown): error is ServiceError {
  return error instanceof ServiceError;
}

/** A failed system call (disk full, permissions): the server's problem, not the archive's. */
function isSystemError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && 'syscall' in error;
}

/** Errors that mean two entries fight over one path (a file where a directory is, …). */
function isFsConflict(error: unknown): boolean {
  return isSystemError(error) && ['EEXIST', 'ENOTDIR', 'EISDIR'].includes(error.code ?? '');
}

/** yauzl's reasons, with its path-safety refusals (validateFileName) said plainly. */
function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const unsafe = /^(?:invalid relative path|absolute path): (.*)$/.exec(message);
  if (unsafe) {
    return `entry '${unsafe[1] ?? ''}' would be written outside the function's directory`;
  }
  return message;
}
