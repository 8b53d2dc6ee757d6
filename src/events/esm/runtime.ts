/**
 * Runs the pollers of enabled mappings and settles mapping states. Every change to a mapping is
 * applied by `apply(uuid)`: its old poller stops (finishing in-flight batches), a new one starts
 * from the stored record, and then the transitional state the API answered with (`Creating`,
 * `Enabling`, `Disabling`, `Updating`) settles to `Enabled` or `Disabled`; `Deleting` removes the
 * mapping. Changes to one mapping apply one at a time, in order.
 */
import { startRabbitMqPoller } from '../rabbitmq/consumer.js';
import { startKinesisPoller } from './kinesis/stream-poller.js';
import { backoffMs, isAborted, pause, type Poller, type PollerDeps } from './poller.js';
import { startSqsPoller } from './sqs/sqs-poller.js';
import { TRANSITIONAL_STATES, type MappingRecord } from './types.js';

export class MappingRuntime {
  readonly #deps: PollerDeps;
  readonly #pollers = new Map<string, Poller>();
  readonly #queues = new Map<string, Promise<void>>();
  #stopped = false;

  constructor(deps: PollerDeps) {
    this.#deps = deps;
  }

  /** Starts the pollers of every stored mapping, and settles what a stop left transitional. */
  async start(): Promise<void> {
    this.#stopped = false;
    const mappings = await this.#deps.store.allMappings();
    await Promise.all(mappings.map((m) => this.apply(m.uuid)));
  }

  /** Stops every poller (in-flight batches finish first). */
  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.all([...this.#queues.values()]);
    const pollers = [...this.#pollers.values()];
    this.#pollers.clear();
    await Promise.all(pollers.map((p) => p.stop()));
  }

  /** Brings the mapping's poller and state in line with its stored record. */
  apply(uuid: string): Promise<void> {
    const previous = this.#queues.get(uuid) ?? Promise.resolve();
    const next = previous
      .then(() => this.#reconcile(uuid))
      .catch((error: unknown) => {
        this.#deps.onWarning(`event source mapping ${uuid}: ${String(error)}`);
      });
    this.#queues.set(uuid, next);
    void next.finally(() => {
      if (this.#queues.get(uuid) === next) {
        this.#queues.delete(uuid);
      }
    });
    return next;
  }

  async #reconcile(uuid: string): Promise<void> {
    if (this.#stopped) {
      return;
    }
    const { store } = this.#deps;
    const old = this.#pollers.get(uuid);
    if (old !== undefined) {
      this.#pollers.delete(uuid);
      await old.stop();
    }
    const mapping = await store.getMapping(uuid);
    if (mapping === undefined) {
      return;
    }
    if (mapping.state === 'Deleting') {
      await store.deleteMapping(uuid);
      return;
    }
    if (mapping.enabled) {
      this.#pollers.set(uuid, await this.#startPoller(mapping));
    }
    if (TRANSITIONAL_STATES.has(mapping.state)) {
      // Only the state this change left: a newer change has its own apply queued.
      await store.replaceMapping(
        { ...mapping, state: mapping.enabled ? 'Enabled' : 'Disabled' },
        mapping.state,
      );
    }
  }

  /**
   * Starts the mapping's poller. A poller that cannot start (its stream was deleted) is retried in
   * the background until it starts or is stopped; the mapping stays Enabled meanwhile, as on AWS.
   */
  async #startPoller(mapping: MappingRecord): Promise<Poller> {
    const start = (): Promise<Poller> => startPoller(mapping, this.#deps);
    try {
      return await start();
    } catch (error) {
      this.#deps.onWarning(
        `event source mapping ${mapping.uuid}: cannot start polling ${mapping.eventSourceArn ?? ''}: ${String(error)}`,
      );
    }
    const abort = new AbortController();
    let started: Poller | undefined;
    const retrying = (async () => {
      for (let attempt = 1; !abort.signal.aborted; attempt++) {
        await pause(this.#deps.clock, backoffMs(attempt, 1000, 30_000), abort.signal);
        if (isAborted(abort.signal)) {
          return;
        }
        try {
          started = await start();
          return;
        } catch {
          // Still failing: reported once above.
        }
      }
    })();
    return {
      async stop() {
        abort.abort();
        await retrying;
        await started?.stop();
      },
    };
  }
}

function startPoller(mapping: MappingRecord, deps: PollerDeps): Promise<Poller> {
  const settings = mapping.settings;
  switch (settings.kind) {
    case 'sqs':
      return Promise.resolve(startSqsPoller(mapping, settings, deps));
    case 'kinesis':
      return startKinesisPoller(mapping, settings, deps);
    case 'rabbitmq':
      return Promise.resolve(startRabbitMqPoller(mapping, settings, deps));
  }
}
