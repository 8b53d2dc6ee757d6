import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { request, Agent } from 'node:http';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { zipSync } from 'fflate';

export const CLI = resolve(import.meta.dirname, '../src/cli/main.js');

/** Percentile of an ascending-sorted array. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) {
    return NaN;
  }
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function summary(samples: number[]): {
  p50: number;
  p90: number;
  p99: number;
  mean: number;
  n: number;
} {
  const s = [...samples].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / Math.max(1, s.length);
  return {
    p50: percentile(s, 50),
    p90: percentile(s, 90),
    p99: percentile(s, 99),
    mean,
    n: s.length,
  };
}

/** Milliseconds `fn` takes, from a monotonic clock. */
export async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

export const fmt = (ms: number): string => `${ms.toFixed(3)} ms`;

export interface BenchServer {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  stop(): Promise<void>;
}

/**
 * The fields of /proc/<pid>/stat after the parenthesised command name (ppid is [1]; utime,
 * stime, cutime and cstime are [11]–[14]), or undefined for a process that is gone.
 */
function statFields(pid: number | string): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** CPU time (user + system) a process has used so far, in microseconds. */
export function cpuMicros(pid: number): number {
  const fields = statFields(pid);
  if (fields === undefined) {
    throw new Error(`process ${String(pid)} is gone`);
  }
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100;
}

/**
 * The processes below `pid` (a server's sandboxes and runtimes), from /proc. Processes that
 * exit while it reads are skipped.
 */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) {
      continue;
    }
    const fields = statFields(entry);
    if (fields !== undefined) {
      const parent = Number(fields[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
    }
  }
  const found: number[] = [];
  const walk = (p: number): void => {
    for (const child of children.get(p) ?? []) {
      found.push(child);
      walk(child);
    }
  };
  walk(pid);
  return found;
}

/**
 * Voluntary context switches (the process blocked: each is a wake-up later) of every thread of
 * `pid` so far, from /proc/<pid>/task/<tid>/status; 0 for a process that is gone.
 */
export function voluntarySwitches(pid: number): number {
  let total = 0;
  try {
    for (const tid of readdirSync(`/proc/${String(pid)}/task`)) {
      const status = readFileSync(`/proc/${String(pid)}/task/${tid}/status`, 'utf8');
      total += Number(/^voluntary_ctxt_switches:\s+(\d+)$/m.exec(status)?.[1] ?? 0);
    }
  } catch {
    // Gone meanwhile.
  }
  return total;
}

/**
 * CPU time (user + system, µs) of a process and every process under it — for a server, its
 * function environments too — from /proc: each live process's own time plus what its children
 * that exited used (cutime, cstime).
 */
export function treeCpuMicros(pid: number): number {
  let ticks = 0;
  for (const p of [pid, ...descendants(pid)]) {
    const fields = statFields(p) ?? [];
    ticks += [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i] ?? 0), 0);
  }
  return (ticks * 1e6) / 100;
}

/** Starts `fogbank server` as its own process, as a user would (`env` adds FOGBANK_* settings). */
export async function startFogbank(
  args: readonly string[] = [],
  env: Readonly<Record<string, string>> = {},
): Promise<BenchServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'fogbank-bench-'));
  const child: ChildProcess = spawn(
    process.execPath,
    [CLI, 'server', '--port', '0', '--data-dir', dataDir, ...args],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } },
  );
  const url = await new Promise<string>((ok, fail) => {
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m?.[1]) {
        ok(m[1]);
      }
    });
    child.once('exit', () => {
      fail(new Error(`server exited: ${out}`));
    });
  });
  return {
    url,
    port: Number(new URL(url).port),
    pid: child.pid ?? 0,
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * CreateFunction of a Node.js function from one `index.js` (raw HTTP, like every bench call), with
 * any other request fields in `config` (e.g. Timeout), then waits until it is Active. Returns
 * the FunctionArn.
 */
export async function createFunction(
  port: number,
  name: string,
  source: string,
  config: Readonly<Record<string, unknown>> = {},
): Promise<string> {
  const zip = Buffer.from(zipSync({ 'index.js': new TextEncoder().encode(source) }));
  const body = Buffer.from(
    JSON.stringify({
      FunctionName: name,
      Runtime: 'nodejs20.x',
      Handler: 'index.handler',
      Role: 'arn:aws:iam::000000000000:role/bench',
      Code: { ZipFile: zip.toString('base64') },
      ...config,
    }),
  );
  const res = await call(port, 'POST', '/2015-03-31/functions', body, {
    'content-type': 'application/json',
  });
  if (res.status !== 201) {
    throw new Error(`CreateFunction ${name}: ${res.status} ${res.body.toString()}`);
  }
  for (;;) {
    const got = await call(port, 'GET', `/2015-03-31/functions/${name}/configuration`);
    const config = JSON.parse(got.body.toString()) as { State: string; FunctionArn: string };
    if (config.State === 'Active') {
      return config.FunctionArn;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A TCP port nothing listens on right now, for a peer that must be told its port. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const address = server.address();
  await new Promise((ok) => server.close(ok));
  if (address === null || typeof address === 'string') {
    throw new Error('no TCP port');
  }
  return address.port;
}

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

/** A lean HTTP call (keep-alive, no SDK), so the client's own cost stays small. */
export function call(
  port: number,
  method: string,
  path: string,
  body?: Buffer,
  headers: Record<string, string> = {},
): Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}> {
  return new Promise((ok, fail) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent,
        headers: { ...headers, ...(body ? { 'content-length': String(body.length) } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          ok({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
        });
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => {
      // A kept-alive socket the server closed while it sat idle: the request never reached
      // it, so sending it again on a fresh socket is safe (the race Node's http docs describe).
      if (req.reusedSocket && error.code === 'ECONNRESET') {
        call(port, method, path, body, headers).then(ok, fail);
      } else {
        fail(error);
      }
    });
    req.end(body);
  });
}

/** The bytes of one complete HTTP/1.1 request (Host and Content-Length added). */
export function encodeRequest(
  method: string,
  path: string,
  headers: Readonly<Record<string, string>>,
  body: Buffer = Buffer.alloc(0),
): Buffer {
  let head = `${method} ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: ${String(body.length)}\r\n`;
  for (const [name, value] of Object.entries(headers)) {
    head += `${name}: ${value}\r\n`;
  }
  return Buffer.concat([Buffer.from(`${head}\r\n`, 'latin1'), body]);
}

const HEAD_END = Buffer.from('\r\n\r\n');

/**
 * One keep-alive HTTP/1.1 connection driven on its raw socket, for load generators: no
 * request or response objects per call, so on this 2-core machine the client leaves the server
 * its core (node:http's client costs about as much CPU per request as the server). Still a full
 * exchange: one request at a time (no pipelining), and each response's status line and
 * Content-Length body are parsed before the next request goes out. A response framed any other
 * way (chunked, or the connection closing) fails the call.
 */
export class RawConnection {
  readonly #socket: Socket;
  #buffered: Buffer = Buffer.alloc(0);
  #pending:
    | {
        readonly ok: (r: { status: number; body: Buffer }) => void;
        readonly fail: (e: Error) => void;
      }
    | undefined;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.#buffered = this.#buffered.length === 0 ? chunk : Buffer.concat([this.#buffered, chunk]);
      this.#parse();
    });
    const closed = (error?: Error): void => {
      this.#pending?.fail(error ?? new Error('connection closed before the response'));
      this.#pending = undefined;
    };
    socket.on('error', closed);
    socket.on('close', () => {
      closed();
    });
  }

  static open(port: number): Promise<RawConnection> {
    return new Promise((ok, fail) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.off('error', fail);
        ok(new RawConnection(socket));
      });
      socket.once('error', fail);
    });
  }

  /** Sends one request (from encodeRequest) and resolves with its response. */
  send(request: Buffer): Promise<{ status: number; body: Buffer }> {
    if (this.#pending) {
      return Promise.reject(new Error('one request at a time'));
    }
    return new Promise((ok, fail) => {
      this.#pending = { ok, fail };
      this.#socket.write(request);
    });
  }

  close(): void {
    this.#socket.destroy();
  }

  #parse(): void {
    const end = this.#buffered.indexOf(HEAD_END);
    if (end < 0 || !this.#pending) {
      return;
    }
    const head = this.#buffered.toString('latin1', 0, end).toLowerCase();
    const status = /^http\/1\.1 (\d{3}) /.exec(head);
    const length = /\r\ncontent-length: *(\d+)/.exec(head);
    const pending = this.#pending;
    if (!status || !length) {
      this.#pending = undefined;
      pending.fail(new Error(`response not framed by Content-Length: ${head}`));
      return;
    }
    const bodyEnd = end + HEAD_END.length + Number(length[1]);
    if (this.#buffered.length < bodyEnd) {
      return;
    }
    const body = this.#buffered.subarray(end + HEAD_END.length, bodyEnd);
    this.#buffered = this.#buffered.subarray(bodyEnd);
    this.#pending = undefined;
    pending.ok({ status: Number(status[1]), body });
  }
}

/** Creates a no-op Node.js function (`async () => null`) and waits until it is Active. */
export async function createNoopFunction(port: number, name: string): Promise<void> {
  await createFunction(port, name, 'exports.handler = async () => null;\n');
}
