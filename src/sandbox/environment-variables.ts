import { dirname } from 'node:path';
import type { RuntimeInfo } from './runtime-resolver.js';
import type { EnvironmentSpec } from './types.js';

/** Where things are as the runtime sees them (sandbox paths, or host paths in process mode). */
export interface EnvironmentPaths {
  /** LAMBDA_TASK_ROOT: `/var/task`, or the code directory itself in process mode. */
  readonly taskRoot: string;
  /** LAMBDA_RUNTIME_DIR: `/var/runtime`, or the runtimes directory in process mode. */
  readonly runtimeDir: string;
  /** The directories that make up /opt, highest precedence first (`['/opt']` in a sandbox). */
  readonly optDirs: readonly string[];
  /** AWS_LAMBDA_RUNTIME_API, `host:port`. */
  readonly runtimeApi: string;
  /** AWS_ENDPOINT_URL: how the function reaches Fogbank's own API. */
  readonly endpointUrl: string;
  /** True inside a namespace sandbox, where Lambda's own directories (/var/lang, /lib64) apply. */
  readonly sandboxed: boolean;
}

/**
 * Builds the complete environment of a runtime process. Nothing is inherited from the
 * server: an inherited variable such as NODE_EXTRA_CA_CERTS costs Node ~30 ms at start
 * (DESIGN.md) and would leak the server's configuration into functions.
 * Variables and defaults: https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
 */
export function buildEnvironmentVariables(
  spec: EnvironmentSpec,
  runtime: RuntimeInfo,
  paths: EnvironmentPaths,
  logStreamName: string,
  extra: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const opt = (suffix: string): string => paths.optDirs.map((d) => `${d}${suffix}`).join(':');
  const { sandboxed } = paths;
  // Customers may override these defaults with their own variables.
  const defaults: Record<string, string> = {
    LANG: 'en_US.UTF-8',
    PATH: [...(sandboxed ? ['/var/lang/bin'] : []), ...binDirs(runtime), opt('/bin')].join(':'),
    LD_LIBRARY_PATH: [
      ...(sandboxed ? ['/var/lang/lib', '/lib64', '/usr/lib64'] : []),
      paths.runtimeDir,
      `${paths.runtimeDir}/lib`,
      paths.taskRoot,
      `${paths.taskRoot}/lib`,
      opt('/lib'),
    ].join(':'),
  };
  if (runtime.family === 'nodejs') {
    const major = /^nodejs(\d+)/.exec(spec.runtime)?.[1] ?? '';
    defaults.NODE_PATH = [
      opt(`/nodejs/node${major}/node_modules`),
      opt('/nodejs/node_modules'),
      `${paths.runtimeDir}/node_modules`,
      paths.runtimeDir,
      paths.taskRoot,
    ].join(':');
  }
  if (runtime.family === 'python') {
    // Layer contents for Python: https://docs.aws.amazon.com/lambda/latest/dg/packaging-layers.html#packaging-layers-paths
    const minor = spec.runtime.replace(/^python/, '');
    defaults.PYTHONPATH = [opt(`/python/lib/python${minor}/site-packages`), opt('/python')].join(
      ':',
    );
  }
  // Reserved: set by Lambda, never overridable (spec §2.5).
  const reserved: Record<string, string> = {
    _HANDLER: spec.handler,
    AWS_LAMBDA_RUNTIME_API: paths.runtimeApi,
    LAMBDA_TASK_ROOT: paths.taskRoot,
    LAMBDA_RUNTIME_DIR: paths.runtimeDir,
    AWS_LAMBDA_FUNCTION_NAME: spec.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: spec.functionVersion,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memorySizeMb),
    AWS_LAMBDA_LOG_GROUP_NAME: spec.logGroupName,
    AWS_LAMBDA_LOG_STREAM_NAME: logStreamName,
    AWS_LAMBDA_INITIALIZATION_TYPE: spec.initializationType ?? 'on-demand',
    AWS_REGION: spec.region,
    AWS_DEFAULT_REGION: spec.region,
    AWS_ACCESS_KEY_ID: spec.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: spec.credentials.secretAccessKey,
    AWS_SESSION_TOKEN: spec.credentials.sessionToken,
    AWS_ENDPOINT_URL: paths.endpointUrl,
    TZ: ':UTC',
  };
  if (runtime.family !== 'provided') {
    reserved.AWS_EXECUTION_ENV = `AWS_Lambda_${spec.runtime}`;
  }
  if (spec.logFormat === 'JSON') {
    // Read by the runtimes to switch console output to JSON records (spec §3.2).
    reserved.AWS_LAMBDA_LOG_FORMAT = 'JSON';
    reserved.AWS_LAMBDA_LOG_LEVEL = (spec.applicationLogLevel ?? 'INFO').toUpperCase();
  }
  return { ...defaults, ...spec.variables, ...reserved, ...extra };
}

/**
 * The variables of a pre-booted blank runtime: what its interpreter needs to start, and
 * nothing of any function (the function's replace them at specialization).
 */
export function blankVariables(runtime: RuntimeInfo): Record<string, string> {
  return { LANG: 'en_US.UTF-8', PATH: binDirs(runtime).join(':'), TZ: ':UTC' };
}

/** The system's bin directories, and the interpreter's (visible at its host path in both modes). */
function binDirs(runtime: RuntimeInfo): string[] {
  const dirs = ['/usr/local/bin', '/usr/bin', '/bin'];
  if (runtime.interpreter !== undefined) {
    const dir = dirname(runtime.interpreter);
    if (!dirs.includes(dir)) {
      dirs.unshift(dir);
    }
  }
  return dirs;
}
