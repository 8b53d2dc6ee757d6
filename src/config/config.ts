import { availableParallelism, totalmem } from 'node:os';
import { z } from 'zod';

/** How environments are isolated: `auto` picks `namespace` when bubblewrap works, else `process`. */
export type IsolationMode = 'auto' | 'namespace' | 'process';

/** Every setting of a Fogbank server, fully defaulted and frozen. The only reader of process.env. */
export interface Config {
  /** TCP port of the API (every AWS-compatible API is served here). */
  readonly port: number;
  /** Address to listen on. */
  readonly host: string;
  /** Where the store, code and logs live. */
  readonly dataDir: string;
  /** Region reported in ARNs and to functions. */
  readonly region: string;
  /** Account id reported in ARNs. */
  readonly accountId: string;
  /** Isolation of execution environments. */
  readonly isolation: IsolationMode;
  /** An idle environment is stopped after this long without an invocation. */
  readonly idleTimeoutMs: number;
  /** On SIGTERM, in-flight invocations get this long to finish before their environments are killed. */
  readonly shutdownGraceMs: number;
  /** The account's concurrency limit (AWS default 1000). */
  readonly accountConcurrency: number;
  /**
   * Multiplies every asynchronous-invocation duration (retry delays, backoff, event age):
   * 1 is AWS's timing; 0.01 runs a one-minute retry delay in 600 ms, for development and tests.
   */
  readonly asyncTimeScale: number;
  /**
   * Asynchronous events run at most this many at a time on this node (default 4 per core), so a
   * flood of events waits in the durable queue instead of starting an environment per event.
   */
  readonly asyncWorkers: number;
  /**
   * Base64 of the 32-byte key that encrypts environment variables at rest; without it the key is
   * `<dataDir>/secret.key`, created on first start.
   */
  readonly secretKey?: string;
  /**
   * Pre-booted blank runtimes (nodejs, python) kept per kind of function: at most `max`
   * (0 turns pre-booting off), at least `min` while the kind has cold starts, otherwise as
   * many as it had cold starts in the last `windowMs`.
   */
  readonly preboot: { readonly max: number; readonly min: number; readonly windowMs: number };
  /**
   * The most memory this node's environments may reserve together (Σ MemorySize), in MB
   * (default: the machine's memory). Idle environments are evicted, least recently used first,
   * to make room; when none is idle the invocation is throttled (429).
   */
  readonly environmentMemoryMb: number;
  /**
   * An environment stays thawed this long after an invocation, so that a following invocation
   * skips the freezer; past it, nothing runs until the next invocation.
   */
  readonly freezeGraceMs: number;
}

const schema = z.object({
  FOGBANK_SECRET_KEY: z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be base64 of 32 bytes')
    .optional(),
  FOGBANK_PORT: z.coerce.number().int().min(0).max(65535).default(4566),
  FOGBANK_HOST: z.string().min(1).default('127.0.0.1'),
  FOGBANK_DATA_DIR: z.string().min(1).default('./.fogbank'),
  FOGBANK_REGION: z
    .string()
    .regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/)
    .default('us-east-1'),
  FOGBANK_ACCOUNT_ID: z
    .string()
    .regex(/^\d{12}$/)
    .default('000000000000'),
  FOGBANK_ISOLATION: z.enum(['auto', 'namespace', 'process']).default('auto'),
  FOGBANK_IDLE_TIMEOUT_MS: z.coerce.number().int().min(1).default(600_000),
  FOGBANK_SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(10_000),
  FOGBANK_ACCOUNT_CONCURRENCY: z.coerce.number().int().min(100).default(1000),
  FOGBANK_ASYNC_TIME_SCALE: z.coerce.number().positive().max(1).default(1),
  FOGBANK_ASYNC_WORKERS: z.coerce
    .number()
    .int()
    .min(1)
    .default(4 * availableParallelism()),
  FOGBANK_FREEZE_GRACE_MS: z.coerce.number().int().min(0).max(1000).default(10),
  FOGBANK_PREBOOT_MAX: z.coerce.number().int().min(0).max(1000).default(4),
  FOGBANK_PREBOOT_MIN: z.coerce.number().int().min(0).max(1000).default(1),
  FOGBANK_PREBOOT_WINDOW_MS: z.coerce.number().int().min(100).default(10_000),
  FOGBANK_ENVIRONMENT_MEMORY_MB: z.coerce
    .number()
    .int()
    .min(128)
    .default(Math.floor(totalmem() / (1024 * 1024))),
});

/** Settings given on the command line win over the environment. */
export type ConfigOverrides = Partial<Record<keyof z.input<typeof schema>, string | number>>;

/** Parses settings from an environment record (and overrides) into a Config; throws on bad values. */
export function loadConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
  overrides: ConfigOverrides = {},
): Config {
  const picked: Record<string, unknown> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = (overrides as Record<string, unknown>)[key] ?? env[key];
    if (value !== undefined && value !== '') {
      picked[key] = value;
    }
  }
  const parsed = schema.safeParse(picked);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration: ${problems.join('; ')}`);
  }
  const c = parsed.data;
  return Object.freeze({
    port: c.FOGBANK_PORT,
    host: c.FOGBANK_HOST,
    dataDir: c.FOGBANK_DATA_DIR,
    region: c.FOGBANK_REGION,
    accountId: c.FOGBANK_ACCOUNT_ID,
    isolation: c.FOGBANK_ISOLATION,
    idleTimeoutMs: c.FOGBANK_IDLE_TIMEOUT_MS,
    shutdownGraceMs: c.FOGBANK_SHUTDOWN_GRACE_MS,
    accountConcurrency: c.FOGBANK_ACCOUNT_CONCURRENCY,
    asyncTimeScale: c.FOGBANK_ASYNC_TIME_SCALE,
    asyncWorkers: c.FOGBANK_ASYNC_WORKERS,
    ...(c.FOGBANK_SECRET_KEY !== undefined && { secretKey: c.FOGBANK_SECRET_KEY }),
    preboot: Object.freeze({
      max: c.FOGBANK_PREBOOT_MAX,
      min: Math.min(c.FOGBANK_PREBOOT_MIN, c.FOGBANK_PREBOOT_MAX),
      windowMs: c.FOGBANK_PREBOOT_WINDOW_MS,
    }),
    environmentMemoryMb: c.FOGBANK_ENVIRONMENT_MEMORY_MB,
    freezeGraceMs: c.FOGBANK_FREEZE_GRACE_MS,
  });
}
