/**
 * Deployment-package downloads: GetFunction's `Code.Location` points here, standing in for the
 * presigned S3 URL that AWS returns, so clients that fetch it (the console, `sam sync`, scripts)
 * get the zip.
 */
import { resourceNotFound } from '../core/errors.js';
import type { Route } from './protocol/route.js';

/** `<64 lower-case hex of the SHA-256>.zip`: the only file names a package is stored under. */
const PACKAGE_FILE = /^([0-9a-f]{64})\.zip$/;

export const codeRoutes: readonly Route[] = [
  {
    operation: 'FogbankGetCodePackage',
    method: 'GET',
    path: '/_fogbank/code/{File}',
    handle: async (request, { control }) => {
      const file = request.label('File');
      const hex = PACKAGE_FILE.exec(file)?.[1];
      const zip = hex === undefined ? undefined : await control.readCodePackage(hex);
      if (zip === undefined) {
        throw resourceNotFound(`No code package named ${file}`);
      }
      return { statusCode: 200, body: zip, contentType: 'application/zip' };
    },
  },
];
