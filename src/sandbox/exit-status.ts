import { constants } from 'node:os';

/** How a runtime process ended, as the executor observed it. */
export interface ExitStatus {
  /** The exit code, when the process exited normally. */
  readonly code: number | null;
  /** The signal that killed it, when it was killed. */
  readonly signal: NodeJS.Signals | null;
}

/**
 * Lambda prints exit reasons with Go's os.ProcessState.String() ("exit status 1",
 * "signal: killed"), because its init process is written in Go. These are Go's names
 * (syscall.signals), so messages match what AWS writes byte for byte.
 */
const GO_SIGNAL_NAMES: Partial<Record<NodeJS.Signals, string>> = {
  SIGHUP: 'hangup',
  SIGINT: 'interrupt',
  SIGQUIT: 'quit',
  SIGILL: 'illegal instruction',
  SIGTRAP: 'trace/breakpoint trap',
  SIGABRT: 'aborted',
  SIGBUS: 'bus error',
  SIGFPE: 'floating point exception',
  SIGKILL: 'killed',
  SIGUSR1: 'user defined signal 1',
  SIGSEGV: 'segmentation fault',
  SIGUSR2: 'user defined signal 2',
  SIGPIPE: 'broken pipe',
  SIGALRM: 'alarm clock',
  SIGTERM: 'terminated',
  SIGXCPU: 'CPU time limit exceeded',
  SIGXFSZ: 'file size limit exceeded',
  SIGSYS: 'bad system call',
};

/** `exit status 3` or `signal: killed`, the text after "Runtime exited with error: ". */
export function describeExit(status: ExitStatus): string {
  if (status.signal !== null) {
    return `signal: ${GO_SIGNAL_NAMES[status.signal] ?? status.signal}`;
  }
  return `exit status ${status.code ?? 0}`;
}

/**
 * Signals a runtime dies of when it crashes or is killed. bubblewrap reports a sandboxed
 * process killed by signal N as exit code 128+N, which a normal exit can also produce
 * (the Node.js runtime exits 128 and 129 on purpose), so only these are read back as signals.
 */
const CRASH_SIGNALS: readonly NodeJS.Signals[] = [
  'SIGILL',
  'SIGTRAP',
  'SIGABRT',
  'SIGBUS',
  'SIGFPE',
  'SIGKILL',
  'SIGSEGV',
  'SIGTERM',
  'SIGXCPU',
  'SIGXFSZ',
  'SIGSYS',
];

/**
 * Recovers the runtime's own exit status from bubblewrap's, which folds a fatal signal N
 * into exit code 128+N.
 * DIVERGENCE: a runtime that deliberately exits with 128+N for one of the crash signals
 * above is reported as killed by that signal.
 */
export function unwrapSandboxExit(status: ExitStatus): ExitStatus {
  if (status.code === null || status.code <= 128) {
    return status;
  }
  const number = status.code - 128;
  const signal = CRASH_SIGNALS.find((name) => constants.signals[name] === number);
  return signal === undefined ? status : { code: null, signal };
}
