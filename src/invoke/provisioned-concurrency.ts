/**
 * Provisioned concurrency between the registry and the environment pool: the registry says how
 * many environments a version should keep initialized, the pool starts them ahead of traffic,
 * and the outcome goes back to the registry as the config's status (READY or FAILED).
 * https://docs.aws.amazon.com/lambda/latest/dg/provisioned-concurrency.html
 */
import type { AccountContext } from '../core/arn.js';
import type { ProvisionedConcurrencyHooks } from '../control/types.js';
import type { EnvironmentPool, EnvironmentSpec } from '../sandbox/types.js';
import { environmentSpec } from './environment-spec.js';
import type { FunctionResolver } from './types.js';

export interface ProvisionedConcurrencyKeeperOptions {
  readonly registry: ProvisionedConcurrencyHooks & Pick<FunctionResolver, 'resolve'>;
  readonly pool: EnvironmentPool;
  readonly ctx: AccountContext;
  /** Fogbank's API as functions reach it (AWS_ENDPOINT_URL). */
  readonly apiEndpoint: EnvironmentSpec['apiEndpoint'];
  readonly onWarning: (message: string) => void;
}

interface Target {
  /** The spec last provisioned, so a later change can release it. */
  spec: EnvironmentSpec | undefined;
  /** Changes are applied one after the other, in the order they were heard. */
  chain: Promise<void>;
  /** Bumped on every change: only the latest one reports a status. */
  generation: number;
}

/** Keeps the pool's provisioned environments in line with the registry's configs. */
export class ProvisionedConcurrencyKeeper {
  readonly #o: ProvisionedConcurrencyKeeperOptions;
  /** `functionName\0version` → what is provisioned for it. */
  readonly #targets = new Map<string, Target>();
  #stopped = false;

  constructor(options: ProvisionedConcurrencyKeeperOptions) {
    this.#o = options;
  }

  /** Subscribes to the registry; it reports every existing config at once. */
  start(): void {
    this.#o.registry.onProvisionedConcurrencyChange((functionName, version, count) => {
      this.#change(functionName, version, count);
    });
  }

  /** Stops reporting statuses (the pool is about to stop); resolves once pending work settled. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.all([...this.#targets.values()].map((t) => t.chain));
  }

  #change(functionName: string, version: string, count: number): void {
    if (this.#stopped) {
      return;
    }
    const id = `${functionName}\0${version}`;
    let target = this.#targets.get(id);
    if (target === undefined) {
      target = { spec: undefined, chain: Promise.resolve(), generation: 0 };
      this.#targets.set(id, target);
    }
    const generation = ++target.generation;
    const current = target;
    current.chain = current.chain.then(() =>
      this.#apply(functionName, version, count, current, generation),
    );
  }

  async #apply(
    functionName: string,
    version: string,
    count: number,
    target: Target,
    generation: number,
  ): Promise<void> {
    const { pool, registry } = this.#o;
    try {
      if (count === 0) {
        const previous = target.spec;
        target.spec = undefined;
        if (previous !== undefined) {
          await pool.provision(previous, 0);
        }
        return;
      }
      const resolved = await registry.resolve(functionName, version);
      const spec = environmentSpec(resolved, this.#o.ctx, this.#o.apiEndpoint);
      const previous = target.spec;
      target.spec = spec;
      if (previous !== undefined && previous.key !== spec.key) {
        await pool.provision(previous, 0);
      }
      const { available } = await pool.provision(spec, count);
      await this.#report(functionName, version, generation, target, {
        allocated: count,
        available,
        status: 'READY',
      });
    } catch (err) {
      if (count === 0) {
        this.#o.onWarning(
          `could not release provisioned concurrency of ${functionName}:${version}: ${String(err)}`,
        );
        return;
      }
      await this.#report(functionName, version, generation, target, {
        allocated: 0,
        available: 0,
        status: 'FAILED',
        statusReason: err instanceof Error ? err.message : String(err),
      }).catch((reportErr: unknown) => {
        this.#o.onWarning(
          `could not report provisioned concurrency of ${functionName}:${version}: ${String(reportErr)}`,
        );
      });
    }
  }

  /** Tells the registry, unless a newer change superseded this one or the platform is stopping. */
  async #report(
    functionName: string,
    version: string,
    generation: number,
    target: Target,
    readiness: Parameters<ProvisionedConcurrencyHooks['setProvisionedConcurrencyStatus']>[2],
  ): Promise<void> {
    if (this.#stopped || target.generation !== generation) {
      return;
    }
    await this.#o.registry.setProvisionedConcurrencyStatus(functionName, version, readiness);
  }
}
