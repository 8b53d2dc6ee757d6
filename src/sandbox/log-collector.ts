import type { Readable } from 'node:stream';

/**
 * Output kept between two takes. A function that logs in a tight loop while nobody takes
 * its output (a long invocation) must not grow the server without bound; CloudWatch itself
 * truncates events at 256 KB each.
 */
const MAX_BUFFERED_CHARS = 16 * 1024 * 1024;

/**
 * Collects a runtime's stdout and stderr as complete lines. The environment takes what has
 * accumulated at phase boundaries: at the end of init (init logs) and when an invocation
 * finishes (function logs). A partial line waits for its newline; at exit it is flushed with
 * a newline added.
 */
export class LogCollector {
  #lines = '';
  #dropped = 0;
  readonly #partials = new Map<Readable, string>();

  /** Reads `stream` line by line until it ends. */
  attach(stream: Readable): void {
    this.#partials.set(stream, '');
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const partial = this.#partials.get(stream) ?? '';
      const end = chunk.lastIndexOf('\n');
      if (end === -1) {
        this.#partials.set(stream, partial + chunk);
        return;
      }
      this.#append(partial + chunk.slice(0, end + 1));
      this.#partials.set(stream, chunk.slice(end + 1));
    });
  }

  /** Completes every partial line (the process is gone, no newline will come). */
  flushPartials(): void {
    for (const [stream, partial] of this.#partials) {
      if (partial !== '') {
        this.#append(`${partial}\n`);
        this.#partials.set(stream, '');
      }
    }
  }

  /** Returns the complete lines collected since the last take, and forgets them. */
  take(): string {
    let lines = this.#lines;
    if (this.#dropped > 0) {
      lines += `[fogbank] ${this.#dropped} characters of output were dropped (more than ${MAX_BUFFERED_CHARS} buffered)\n`;
      this.#dropped = 0;
    }
    this.#lines = '';
    return lines;
  }

  #append(text: string): void {
    if (this.#lines.length + text.length > MAX_BUFFERED_CHARS) {
      this.#dropped += text.length;
      return;
    }
    this.#lines += text;
  }
}
