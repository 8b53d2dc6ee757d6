/**
 * A code source turned into what a version records: a stored package (counted against the
 * account's code storage), or a hot-reload directory; and where GetFunction says to fetch it.
 */
import { codeStorageExceeded } from '../core/errors.js';
import type { Store } from '../store/index.js';
import type { CodeSource } from './code-source.js';
import { digestOf, type CodePackage, type CodeStore } from './code-store.js';
import type { CodeLocation, FunctionVersion } from './function-version.js';
import { MAX_TOTAL_CODE_BYTES } from './limits.js';
import type { FunctionCodeLocation } from '@aws-sdk/client-lambda';

export interface VersionCode {
  readonly code: CodeLocation;
  readonly codeSha256Hex: string;
  readonly codeSize: number;
  /** Uncompressed size of the package (0 for a hot-reload directory, which is not measured). */
  readonly unzippedSize: number;
}

/**
 * Stores a code source. A package first counts against the account's code storage, where it
 * replaces `replacedSize` bytes (the version's previous package).
 */
export async function storeCode(
  source: CodeSource,
  replacedSize: number,
  store: Store,
  packages: CodeStore,
): Promise<VersionCode> {
  if (source.kind === 'hot-reload') {
    return hotReloadCode(source.directory);
  }
  const usage = await store.getAccountUsage();
  if (usage.totalCodeSize - replacedSize + source.zip.length > MAX_TOTAL_CODE_BYTES) {
    throw codeStorageExceeded(
      `Code storage limit exceeded: ${String(MAX_TOTAL_CODE_BYTES)} bytes in this account.`,
    );
  }
  const pkg = await packages.add(source.zip);
  return packageCode(pkg);
}

/** storeCode's checks without keeping anything (DryRun). */
export async function checkCode(source: CodeSource, packages: CodeStore): Promise<VersionCode> {
  if (source.kind === 'hot-reload') {
    return hotReloadCode(source.directory);
  }
  return packageCode(await packages.check(source.zip));
}

function packageCode(pkg: CodePackage): VersionCode {
  return {
    code: { kind: 'zip' },
    codeSha256Hex: pkg.sha256Hex,
    codeSize: pkg.codeSize,
    unzippedSize: pkg.unzippedSize,
  };
}

function hotReloadCode(directory: string): VersionCode {
  // The directory is not a package: its path stands in for the digest, and it has no size.
  return {
    code: { kind: 'hot-reload', directory },
    codeSha256Hex: digestOf(directory).hex,
    codeSize: 0,
    unzippedSize: 0,
  };
}

/**
 * GetFunction's Code: a URL on this server that serves the package, standing in for the
 * presigned S3 URL AWS gives.
 */
export function codeLocation(v: FunctionVersion, endpoint: string): FunctionCodeLocation {
  if (v.code.kind === 'hot-reload') {
    // DIVERGENCE: hot-reload code is a live directory, not a package: nothing to download.
    return { RepositoryType: 'S3' };
  }
  return { RepositoryType: 'S3', Location: packageUrl(endpoint, v.codeSha256Hex) };
}

/** Where this server serves a stored package (functions' and layers' alike). */
export function packageUrl(endpoint: string, sha256Hex: string): string {
  return `${endpoint}/_fogbank/code/${sha256Hex}.zip`;
}
