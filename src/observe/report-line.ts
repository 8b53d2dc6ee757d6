/**
 * Lambda's platform log lines, byte for byte (spec §3.1):
 * https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html
 */

export interface ReportFields {
  readonly requestId: string;
  readonly durationMs: number;
  readonly memorySizeMb: number;
  readonly maxMemoryUsedMb: number;
  /** Only on the first invocation of a new environment. */
  readonly initDurationMs?: number;
  /** `timeout` or `error` when the invocation did not complete normally. */
  readonly status?: 'timeout' | 'error';
  /** With status `error`: the platform error type, e.g. `Runtime.ExitError`. */
  readonly errorType?: string;
}

export function startLine(requestId: string, version: string): string {
  return `START RequestId: ${requestId} Version: ${version}\n`;
}

export function endLine(requestId: string): string {
  return `END RequestId: ${requestId}\n`;
}

/**
 * Billed duration: since August 2025 Lambda bills the init phase of on-demand cold starts
 * too, so it is ceil(duration + init) on a cold start and ceil(duration) otherwise.
 */
export function billedDurationMs(durationMs: number, initDurationMs?: number): number {
  return Math.max(1, Math.ceil(durationMs + (initDurationMs ?? 0)));
}

/** Every field is followed by a tab, so the line ends in `\t` (unless a Status segment closes it). */
export function reportLine(f: ReportFields): string {
  let line =
    `REPORT RequestId: ${f.requestId}\t` +
    `Duration: ${f.durationMs.toFixed(2)} ms\t` +
    `Billed Duration: ${billedDurationMs(f.durationMs, f.initDurationMs)} ms\t` +
    `Memory Size: ${f.memorySizeMb} MB\t` +
    `Max Memory Used: ${Math.round(f.maxMemoryUsedMb)} MB\t`;
  if (f.initDurationMs !== undefined) {
    line += `Init Duration: ${f.initDurationMs.toFixed(2)} ms\t`;
  }
  if (f.status === 'timeout') {
    line += 'Status: timeout';
  } else if (f.status === 'error') {
    line += `Status: error${f.errorType ? `\tError Type: ${f.errorType}` : ''}`;
  }
  return `${line}\n`;
}

/** The older separate timeout line, kept because existing log scrapers look for it. */
export function timeoutLine(nowMs: number, requestId: string, timeoutSeconds: number): string {
  return `${new Date(nowMs).toISOString()} ${requestId} Task timed out after ${timeoutSeconds.toFixed(2)} seconds\n`;
}

/** `INIT_START` opens the log of every new environment. */
export function initStartLine(runtimeVersion: string, runtimeVersionArn: string): string {
  return `INIT_START Runtime Version: ${runtimeVersion}\tRuntime Version ARN: ${runtimeVersionArn}\n`;
}
