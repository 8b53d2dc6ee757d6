import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import {
  CreateFunctionCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
  type CreateFunctionCommandInput,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import { makeZip, type ZipEntry } from './zip.js';

/** The fixtures' source directory (fixtures are plain files, not compiled). */
export const FIXTURES = resolve(import.meta.dirname, '../../../test/fixtures');

export const ROLE = 'arn:aws:iam::000000000000:role/lambda-role';

/** Zips a fixture directory, keeping each file's mode. */
export function zipFixture(dir: string): Buffer {
  const root = resolve(FIXTURES, dir);
  const files: Record<string, ZipEntry> = {};
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      const st = statSync(path);
      if (st.isDirectory()) {
        walk(path);
      } else {
        files[relative(root, path)] = { content: readFileSync(path), mode: st.mode & 0o777 };
      }
    }
  };
  walk(root);
  return makeZip(files);
}

/** Creates a function from a fixture directory and waits until it is Active. */
export async function createFunction(
  lambda: LambdaClient,
  input: Omit<CreateFunctionCommandInput, 'Role' | 'Code'> & { fixture: string },
): Promise<void> {
  const { fixture, ...rest } = input;
  await lambda.send(
    new CreateFunctionCommand({ Role: ROLE, Code: { ZipFile: zipFixture(fixture) }, ...rest }),
  );
  await waitUntilFunctionActiveV2(
    { client: lambda, maxWaitTime: 60, minDelay: 1 },
    { FunctionName: input.FunctionName },
  );
}

export async function waitUpdated(lambda: LambdaClient, name: string): Promise<void> {
  await waitUntilFunctionUpdatedV2(
    { client: lambda, maxWaitTime: 60, minDelay: 1 },
    { FunctionName: name },
  );
}

/** Decodes an Invoke response payload as JSON. */
export function json(payload: Uint8Array | undefined): unknown {
  return JSON.parse(Buffer.from(payload ?? new Uint8Array()).toString('utf8'));
}
