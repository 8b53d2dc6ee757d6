import type { InvokeResult } from '../sandbox/types.js';
import {
  endLine,
  initStartLine,
  reportLine,
  startLine,
  timeoutLine,
  billedDurationMs,
} from './report-line.js';

export interface InvocationLogContext {
  readonly requestId: string;
  readonly version: string;
  readonly functionName: string;
  readonly memorySizeMb: number;
  readonly timeoutSeconds: number;
  readonly logFormat: 'Text' | 'JSON';
  readonly runtimeVersion: string;
  readonly runtimeVersionArn: string;
  /** When the invocation finished (ms since the epoch). */
  readonly finishedAt: number;
}

/**
 * The complete log of one invocation as Lambda writes it to the environment's log stream:
 * init output and INIT_START on a cold start, START, the function's output, END, REPORT.
 * In JSON format the platform lines become `platform.*` records (spec §3.2).
 */
export function invocationLog(ctx: InvocationLogContext, r: InvokeResult): string {
  return ctx.logFormat === 'JSON' ? jsonLog(ctx, r) : textLog(ctx, r);
}

function textLog(ctx: InvocationLogContext, r: InvokeResult): string {
  let log = '';
  if (r.initDurationMs !== undefined) {
    log += initStartLine(ctx.runtimeVersion, ctx.runtimeVersionArn) + r.initLogs;
  }
  log += startLine(ctx.requestId, ctx.version) + r.functionLogs;
  if (r.status === 'timeout') {
    log += timeoutLine(ctx.finishedAt, ctx.requestId, ctx.timeoutSeconds);
  } else if (r.status === 'failure' && r.errorType !== undefined) {
    log += platformErrorLines(r);
  }
  log += endLine(ctx.requestId);
  log += reportLine({
    requestId: ctx.requestId,
    durationMs: r.durationMs,
    memorySizeMb: ctx.memorySizeMb,
    maxMemoryUsedMb: r.maxMemoryUsedMb,
    ...(r.initDurationMs !== undefined ? { initDurationMs: r.initDurationMs } : {}),
    ...(r.status === 'timeout' ? { status: 'timeout' as const } : {}),
    ...(r.status === 'failure' ? { status: 'error' as const, errorType: r.errorType ?? '' } : {}),
  });
  return log;
}

/** Lambda logs a runtime failure as the error message followed by its type. */
function platformErrorLines(r: InvokeResult): string {
  try {
    const doc = JSON.parse(r.payload.toString('utf8')) as { errorMessage?: unknown };
    if (typeof doc.errorMessage === 'string' && doc.errorMessage.startsWith('RequestId: ')) {
      return `${doc.errorMessage}\n${r.errorType ?? ''}\n`;
    }
  } catch {
    // Not a JSON error document: the runtime's own output already explains the failure.
  }
  return '';
}

function jsonLog(ctx: InvocationLogContext, r: InvokeResult): string {
  const started = ctx.finishedAt - r.durationMs;
  const record = (time: number, type: string, rec: object): string =>
    `${JSON.stringify({ time: new Date(time).toISOString(), type, record: rec })}\n`;
  let log = '';
  if (r.initDurationMs !== undefined) {
    log += record(started - r.initDurationMs, 'platform.initStart', {
      initializationType: 'on-demand',
      phase: 'init',
      runtimeVersion: ctx.runtimeVersion,
      runtimeVersionArn: ctx.runtimeVersionArn,
      functionName: ctx.functionName,
      functionVersion: ctx.version,
    });
    log += r.initLogs;
  }
  log += record(started, 'platform.start', { requestId: ctx.requestId, version: ctx.version });
  log += r.functionLogs;
  const failed = r.status !== 'success' && r.errorType !== undefined;
  log += record(ctx.finishedAt, 'platform.report', {
    requestId: ctx.requestId,
    metrics: {
      durationMs: round2(r.durationMs),
      billedDurationMs: billedDurationMs(r.durationMs, r.initDurationMs),
      memorySizeMB: ctx.memorySizeMb,
      maxMemoryUsedMB: Math.round(r.maxMemoryUsedMb),
      ...(r.initDurationMs !== undefined ? { initDurationMs: round2(r.initDurationMs) } : {}),
    },
    status: r.status,
    ...(failed ? { errorType: r.errorType } : {}),
  });
  return log;
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

/** X-Amz-Log-Result: base64 of the last 4 KB of the invocation's log. */
export function logTail(log: string): string {
  const bytes = Buffer.from(log, 'utf8');
  return bytes.subarray(Math.max(0, bytes.length - 4096)).toString('base64');
}
