import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The AWS CLI v2 from Debian's `awscli` package (a v1 `aws` may come first on PATH). */
export const AWS_CLI = '/usr/bin/aws';

/** Why CLI tests cannot run here, or undefined when they can. */
export const awsCliMissing: string | undefined = existsSync(AWS_CLI)
  ? undefined
  : 'AWS CLI v2 not installed at /usr/bin/aws (apt-get install awscli; .ci/run does)';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The CLI checks some ranges itself before sending; turning that off lets the tests see the
 * server's own answers to bad input, as a client with an older or newer model would.
 */
const CONFIG_FILE = join(mkdtempSync(join(tmpdir(), 'fogbank-aws-')), 'config');
writeFileSync(CONFIG_FILE, '[default]\nparameter_validation = false\n');

/** Runs `aws --endpoint-url <url> <args…>` with test credentials; never throws on a non-zero exit. */
export function aws(endpoint: string, args: readonly string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      AWS_CLI,
      ['--endpoint-url', endpoint, '--output', 'json', ...args],
      {
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: process.env.HOME ?? '/tmp',
          AWS_ACCESS_KEY_ID: 'test',
          AWS_SECRET_ACCESS_KEY: 'test',
          AWS_DEFAULT_REGION: 'us-east-1',
          AWS_PAGER: '',
          AWS_MAX_ATTEMPTS: '1',
          AWS_CONFIG_FILE: CONFIG_FILE,
        },
        maxBuffer: 64 * 1024 * 1024,
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
