/**
 * Deleting a function deletes its event invoke configs, URLs and policies; deleting a version or
 * an alias deletes that qualifier's. The registry only says that something about a function
 * changed, so each change is checked against the resolver: whatever no longer resolves goes.
 * https://docs.aws.amazon.com/lambda/latest/api/API_DeleteFunction.html
 */
import type { FunctionConfigStore } from '../../store/sqlite/function-config-tables.js';
import type { KeyedMutex } from '../keyed-mutex.js';
import { functionExists } from './target.js';
import type { ConfigResolver } from './types.js';

export interface ConfigCleanupOptions {
  readonly store: FunctionConfigStore;
  readonly resolver: ConfigResolver;
  readonly locks: KeyedMutex;
  /** Drops what the services cached about a function. */
  readonly forget: (functionName: string) => void;
  readonly onWarning: (message: string) => void;
}

export class ConfigCleanup {
  readonly #o: ConfigCleanupOptions;
  readonly #pending = new Set<Promise<void>>();

  constructor(options: ConfigCleanupOptions) {
    this.#o = options;
  }

  /** The registry's onChange listener: reconcile the function's settings in the background. */
  changed(functionName: string): void {
    this.#o.forget(functionName);
    const work = this.#o.locks
      .run(functionName, () => this.#reconcile(functionName))
      .catch((error: unknown) => {
        this.#o.onWarning(
          `could not remove the settings of deleted function ${functionName}: ${String(error)}`,
        );
      })
      .finally(() => {
        this.#pending.delete(work);
      });
    this.#pending.add(work);
  }

  /** Resolves when every reconciliation started so far has finished. */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) {
      await Promise.all(this.#pending);
    }
  }

  async #reconcile(functionName: string): Promise<void> {
    const { store, resolver } = this.#o;
    const qualifiers = await store.listQualifiers(functionName);
    if (qualifiers.length === 0) {
      return;
    }
    if (!(await functionExists(resolver, functionName, undefined))) {
      await store.deleteFunction(functionName);
    } else {
      for (const qualifier of qualifiers) {
        // '' is the function itself and $LATEST lives as long as it does.
        if (qualifier !== '' && qualifier !== '$LATEST') {
          if (!(await functionExists(resolver, functionName, qualifier))) {
            await store.deleteQualifier(functionName, qualifier);
          }
        }
      }
    }
    this.#o.forget(functionName);
  }
}
