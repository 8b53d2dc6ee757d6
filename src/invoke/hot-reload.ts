import { watch, type FSWatcher } from 'node:fs';

/**
 * Hot-reload functions run a directory on the server's machine. A warm environment has the
 * old modules loaded, so when anything under the directory changes, its environments are
 * drained and the next invocation starts fresh on the current files.
 */
export class HotReloadWatcher {
  readonly #onChange: (key: string) => void;
  readonly #watchers = new Map<string, FSWatcher>();

  constructor(onChange: (key: string) => void) {
    this.#onChange = onChange;
  }

  watch(key: string, dir: string): void {
    if (this.#watchers.has(key)) {
      return;
    }
    try {
      const w = watch(dir, { recursive: true, persistent: false }, () => {
        this.#onChange(key);
      });
      w.on('error', () => {
        // The directory went away: drain now; the next invocation reports the missing code.
        this.#onChange(key);
        this.unwatch(key);
      });
      this.#watchers.set(key, w);
    } catch {
      // A missing directory cannot be watched; the invocation itself reports the missing code.
    }
  }

  unwatch(key: string): void {
    this.#watchers.get(key)?.close();
    this.#watchers.delete(key);
  }

  close(): void {
    for (const w of this.#watchers.values()) {
      w.close();
    }
    this.#watchers.clear();
  }
}
