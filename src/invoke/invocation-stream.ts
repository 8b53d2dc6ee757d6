/**
 * What the consumers of an InvocationStream share: writing a chunk into the stream a caller
 * reads, and telling the function to go on only once that stream can take more.
 */
import type { Writable } from 'node:stream';

/**
 * Writes `bytes` to `target` and calls `next` once it can take more (at once, or on 'drain').
 * A target already destroyed (its client left) takes nothing; the function still runs to its end.
 */
export function forwardChunk(target: Writable, bytes: Buffer, next: () => void): void {
  if (target.destroyed || target.write(bytes)) {
    next();
    return;
  }
  const resume = (): void => {
    target.off('drain', resume).off('close', resume);
    next();
  };
  target.on('drain', resume).on('close', resume);
}
