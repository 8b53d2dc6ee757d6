/**
 * Where a function's code comes from: an uploaded zip (`ZipFile`), or a directory on this
 * machine (`S3Bucket: "hot-reload"`, `S3Key: <absolute directory>`), which the function runs
 * in place so edits show up at the next invocation without a deploy.
 */
import { stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { invalidParameter, invalidRequestContent } from '../core/errors.js';
import { readString, type Body } from './request.js';

/** The S3 bucket name that selects hot reloading (the name LocalStack uses for the same). */
export const HOT_RELOAD_BUCKET = 'hot-reload';

export type CodeSource =
  | { readonly kind: 'zip'; readonly zip: Buffer }
  | { readonly kind: 'hot-reload'; readonly directory: string };

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Reads the code members (`Code` of CreateFunction, or the body of UpdateFunctionCode).
 * `prefix` is the member path for messages (`Code.` or empty).
 */
export async function readCodeSource(members: Body, prefix: string): Promise<CodeSource> {
  if (members.ImageUri !== undefined && members.ImageUri !== null) {
    throw imageNotSupported();
  }
  const zip = readZipFile(members, `${prefix}ZipFile`);
  const bucket = readString(members, 'S3Bucket', `${prefix}S3Bucket`);
  const key = readString(members, 'S3Key', `${prefix}S3Key`);
  readString(members, 'S3ObjectVersion', `${prefix}S3ObjectVersion`);
  if (zip !== undefined) {
    if (bucket !== undefined || key !== undefined) {
      throw invalidParameter(
        'Please provide either ZipFile or S3Bucket and S3Key as the source of the function code, not both.',
      );
    }
    return { kind: 'zip', zip };
  }
  if (bucket === undefined && key === undefined) {
    throw invalidParameter('Please provide a source for function code.');
  }
  if (bucket !== HOT_RELOAD_BUCKET) {
    // DIVERGENCE: there is no S3 to fetch a package from yet, so every bucket is missing.
    throw invalidParameter(
      'Error occurred while GetObject. S3 Error Code: NoSuchBucket. S3 Error Message: The specified bucket does not exist',
    );
  }
  return { kind: 'hot-reload', directory: await hotReloadDirectory(key) };
}

export function imageNotSupported(): Error {
  return invalidParameter(
    'Fogbank runs .zip deployment packages only: container images (PackageType Image, ImageUri) are not supported.',
  );
}

/** The zip as bytes: base64 in a JSON body, or bytes from an in-process caller. */
function readZipFile(members: Body, path: string): Buffer | undefined {
  const value = members.ZipFile;
  if (value === undefined || value === null) {
    return undefined;
  }
  if (value instanceof Uint8Array) {
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  }
  if (typeof value === 'string' && BASE64.test(value) && value.length % 4 === 0) {
    return Buffer.from(value, 'base64');
  }
  throw invalidRequestContent(
    `Could not parse request body into json: Unexpected value for member '${path}': expected base64-encoded bytes.`,
  );
}

async function hotReloadDirectory(key: string | undefined): Promise<string> {
  if (key === undefined || !isAbsolute(key)) {
    throw invalidParameter(
      `With S3Bucket "${HOT_RELOAD_BUCKET}", S3Key must be the absolute path of a directory on the Fogbank server (got ${key === undefined ? 'nothing' : `'${key}'`}).`,
    );
  }
  const directory = resolve(key);
  const isDirectory = await stat(directory).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDirectory) {
    throw invalidParameter(
      `Hot-reload directory ${directory} does not exist on the Fogbank server or is not a directory.`,
    );
  }
  return directory;
}
