import { randomBytes, randomFillSync, randomUUID } from 'node:crypto';

/** A Lambda request id (UUID v4). */
export function newRequestId(): string {
  return randomUUID();
}

/** 32 lower-case hex characters, as in log stream names and environment ids. */
export function newHexId(): string {
  return randomBytes(16).toString('hex');
}

/** An X-Ray trace header as Lambda passes it to the runtime. */
export function newTraceId(nowMs: number): string {
  const epoch = Math.floor(nowMs / 1000)
    .toString(16)
    .padStart(8, '0');
  return `Root=1-${epoch}-${pooledHex(12)};Parent=${pooledHex(8)};Sampled=0`;
}

/**
 * Random bytes drawn from a buffer refilled every 4 KiB, as Node's randomUUID does: one
 * randomBytes call per trace id was ~10 µs of the synchronous invoke path.
 */
const POOL = Buffer.alloc(4096);
let poolOffset = POOL.length;

function pooledHex(bytes: number): string {
  if (poolOffset + bytes > POOL.length) {
    randomFillSync(POOL);
    poolOffset = 0;
  }
  poolOffset += bytes;
  return POOL.toString('hex', poolOffset - bytes, poolOffset);
}

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** `length` random `[a-z0-9]` characters, the form of API Gateway's api, route and integration ids. */
export function newShortId(length: number): string {
  const bytes = randomBytes(length);
  let id = '';
  for (const byte of bytes) {
    // 252 = 7 × 36: bytes at or above it would favour the first letters; they are rare, so redraw.
    id += byte < 252 ? ID_ALPHABET.charAt(byte % 36) : newShortId(1);
  }
  return id;
}
