import type { AsyncEventStore, NewAsyncEvent } from './async-event.js';
import { GroupCommit } from './group-commit.js';

/**
 * Accepts Event invocations durably. Requests that arrive in the same event-loop turn share
 * one transaction (group commit): each caller is answered only after its event is committed.
 * An event for a function that is backing off from throttles is stored already deferred to the
 * back-off's end, so the dispatcher does not take it only to be throttled again.
 */
export class AsyncQueue {
  readonly #commits: GroupCommit<NewAsyncEvent>;
  readonly #notBefore: (functionName: string) => number | undefined;

  /**
   * @param onEnqueued called after each committed group with when its earliest event is due
   *   (the dispatcher looks for due work)
   * @param notBefore the end of the function's throttle back-off, while it lasts
   */
  constructor(
    store: AsyncEventStore,
    onEnqueued: (dueAt: number) => void,
    notBefore: (functionName: string) => number | undefined = () => undefined,
  ) {
    this.#commits = new GroupCommit(
      (events) => store.enqueueAsyncEvents(events),
      (events) => {
        onEnqueued(events.reduce((earliest, e) => Math.min(earliest, dueAt(e)), Infinity));
      },
    );
    this.#notBefore = notBefore;
  }

  /** Resolves once the event is stored; only then may the caller answer 202. */
  accept(event: NewAsyncEvent): Promise<void> {
    const nextAttemptAt = this.#notBefore(event.functionName);
    return this.#commits.add(nextAttemptAt === undefined ? event : { ...event, nextAttemptAt });
  }
}

function dueAt(event: NewAsyncEvent): number {
  return event.nextAttemptAt ?? event.enqueuedAt;
}
