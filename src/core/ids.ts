import { randomBytes, randomUUID } from 'node:crypto';

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
  return `Root=1-${epoch}-${randomBytes(12).toString('hex')};Parent=${randomBytes(8).toString('hex')};Sampled=0`;
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
