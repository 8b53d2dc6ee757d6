/**
 * The floor under every invocation on this machine: what one message to another process and its
 * reply cost, with no HTTP, no SQLite and no sandbox. A parent process serves K children over a
 * Unix socket; each child echoes every 200-byte message back at once, and the parent answers
 * each echo with the next message. With K = 1 the child is asleep whenever a message arrives (as
 * a runtime waiting for its next invocation is), so each round costs the kernel's wake-up of a
 * sleeping process; with more children, fewer of the writes find their reader asleep.
 *
 * Run: `node dist/bench/wake-floor.js [--children 1,8] [--rounds 100000]`.
 */
import { fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cpuMicros } from './lib.js';

const MESSAGE = Buffer.alloc(200, 97);

if (process.argv[2] === 'child') {
  // An echoing child: every chunk goes straight back (each message arrives whole, or in pieces
  // that are echoed as they come; the parent counts bytes).
  const socket = createConnection(process.argv[3]!);
  socket.on('data', (chunk) => socket.write(chunk));
  socket.on('error', () => process.exit(0));
} else {
  const { values } = parseArgs({
    options: {
      children: { type: 'string', default: '1,8' },
      rounds: { type: 'string', default: '100000' },
    },
  });
  const rounds = Number(values.rounds);
  console.log(`Wake-up floor (${new Date().toISOString()}): ${String(rounds)} rounds each`);
  for (const count of values.children.split(',').map(Number)) {
    console.log(await measure(count, rounds));
  }
}

/** One run with `count` children: the rate and the CPU per round of the parent and children. */
async function measure(count: number, rounds: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'fogbank-wake-'));
  const path = join(dir, 'socket');
  const sockets: Socket[] = [];
  const connected = new Promise<void>((resolve) => {
    const server = createServer((socket) => {
      sockets.push(socket);
      if (sockets.length === count) {
        server.close();
        resolve();
      }
    });
    server.listen(path);
  });
  const children = Array.from({ length: count }, () =>
    fork(process.argv[1]!, ['child', path], { env: {}, stdio: 'ignore' }),
  );
  await connected;
  const warmUp = Math.min(1_000, rounds);
  let done = 0;
  let t0 = 0n;
  let parent0 = 0;
  let children0 = 0;
  const childrenCpu = (): number =>
    children.reduce((sum, child) => sum + cpuMicros(child.pid ?? 0), 0);
  const finished = new Promise<string>((resolve) => {
    for (const socket of sockets) {
      let pending = 0;
      socket.setNoDelay(true);
      socket.on('data', (chunk) => {
        pending += chunk.length;
        if (pending < MESSAGE.length) {
          return;
        }
        pending -= MESSAGE.length;
        done += 1;
        if (done === warmUp) {
          t0 = process.hrtime.bigint();
          parent0 = cpuMicros(process.pid);
          children0 = childrenCpu();
        }
        if (done === rounds) {
          const measured = rounds - warmUp;
          const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
          const perRound = (micros: number): string => (micros / measured).toFixed(1);
          resolve(
            `${String(count).padStart(2)} children: ${(measured / seconds).toFixed(0)} rounds/s, CPU per round: parent ${perRound(cpuMicros(process.pid) - parent0)} µs, children ${perRound(childrenCpu() - children0)} µs`,
          );
        } else if (done < rounds) {
          socket.write(MESSAGE);
        }
      });
      socket.write(MESSAGE);
    }
  });
  const line = await finished;
  for (const child of children) {
    child.kill();
  }
  for (const socket of sockets) {
    socket.destroy();
  }
  await rm(dir, { recursive: true, force: true });
  return line;
}
