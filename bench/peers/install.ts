/**
 * The peers are installed for the benchmark only, into a cache directory outside the repository,
 * never as project dependencies. Versions are pinned to ones checked on Node 20: serverless v4
 * needs a login, so v3; serverless-offline 13 is the last major whose peer range is serverless 3.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const PEER_PACKAGES = {
  serverless: '3.40.0',
  'serverless-offline': '13.10.1',
  'lambda-local': '2.2.0',
} as const;

export type PeerPackage = keyof typeof PEER_PACKAGES;

export const DEFAULT_PEERS_DIR = join(homedir(), '.cache', 'fogbank-bench-peers');

export interface InstalledPeers {
  readonly dir: string;
  /** `node_modules` of the cache directory. */
  readonly modules: string;
  /** The version actually installed, read from each package.json. */
  readonly versions: Record<PeerPackage, string>;
}

const run = promisify(execFile);

/** Installs the pinned peers into `dir` unless they are already there. */
export async function ensurePeers(dir: string): Promise<InstalledPeers> {
  const modules = join(dir, 'node_modules');
  const names = Object.keys(PEER_PACKAGES) as PeerPackage[];
  const wanted = names.map((name) => `${name}@${PEER_PACKAGES[name]}`);
  const versions = await readVersions(modules, names);
  if (versions === undefined || names.some((n) => versions[n] !== PEER_PACKAGES[n])) {
    console.log(`installing ${wanted.join(' ')} into ${dir} (first run only)`);
    await run('npm', ['install', '--prefix', dir, '--no-audit', '--no-fund', ...wanted], {
      maxBuffer: 16 * 1024 * 1024,
    });
  }
  const installed = await readVersions(modules, names);
  if (installed === undefined) {
    throw new Error(`npm install into ${dir} did not install ${wanted.join(' ')}`);
  }
  return { dir, modules, versions: installed };
}

async function readVersions(
  modules: string,
  names: readonly PeerPackage[],
): Promise<Record<PeerPackage, string> | undefined> {
  if (!names.every((n) => existsSync(join(modules, n, 'package.json')))) {
    return undefined;
  }
  const entries = await Promise.all(
    names.map(async (n) => {
      const pkg = JSON.parse(await readFile(join(modules, n, 'package.json'), 'utf8')) as {
        version: string;
      };
      return [n, pkg.version] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<PeerPackage, string>;
}
