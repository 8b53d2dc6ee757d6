import { zipSync } from 'fflate';

/** A file in a test deployment package: text, or text with a unix mode (e.g. 0o755 for bootstrap). */
export type ZipEntry = string | { readonly content: string | Uint8Array; readonly mode: number };

/** Builds a deployment package in memory, preserving unix modes like the `zip` command does. */
export function makeZip(files: Readonly<Record<string, ZipEntry>>): Buffer {
  const entries: Record<string, [Uint8Array, { os: number; attrs: number }]> = {};
  for (const [path, entry] of Object.entries(files)) {
    const content = typeof entry === 'string' ? entry : entry.content;
    const mode = typeof entry === 'string' ? 0o644 : entry.mode;
    const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
    // os 3 = unix: the high 16 bits of the external attributes carry the file mode.
    entries[path] = [bytes, { os: 3, attrs: ((0o100000 | mode) << 16) >>> 0 }];
  }
  return Buffer.from(zipSync(entries));
}
