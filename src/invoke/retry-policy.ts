/**
 * Lambda's asynchronous retry timing (spec §5):
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html
 * Every duration is multiplied by `timeScale` (FOGBANK_ASYNC_TIME_SCALE), so local development
 * and tests can run the same logic faster: 0.01 makes a one-minute retry delay 600 ms.
 */
export class RetryPolicy {
  readonly #scale: number;

  constructor(timeScale: number) {
    this.#scale = timeScale;
  }

  /** About one minute before the first retry of a function error, two before the second. */
  functionErrorDelayMs(attemptsSoFar: number): number {
    return 60_000 * attemptsSoFar * this.#scale;
  }

  /** Throttles and system errors back off exponentially from 1 s to at most 5 minutes. */
  throttleDelayMs(throttlesSoFar: number): number {
    return Math.min(1_000 * 2 ** Math.max(0, throttlesSoFar - 1), 300_000) * this.#scale;
  }

  /** MaximumEventAgeInSeconds as a duration on this clock. */
  maxAgeMs(maximumEventAgeInSeconds: number): number {
    return maximumEventAgeInSeconds * 1000 * this.#scale;
  }
}
