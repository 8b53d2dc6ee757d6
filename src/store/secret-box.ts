/**
 * Encryption at rest for secrets in the store (a function's environment variables, DESIGN.md):
 * AES-256-GCM with a key given by the operator (FOGBANK_SECRET_KEY, base64 of 32 bytes) or,
 * when none is given, a random key created once in the data directory (`secret.key`, mode 0600).
 * A sealed value is `v1.<base64 of iv ‖ tag ‖ ciphertext>`; tampering or a wrong key fails loudly.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const PREFIX = 'v1.';
export const SECRET_KEY_FILE = 'secret.key';

export class SecretBox {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== KEY_BYTES) {
      throw new Error(`A secret key is ${String(KEY_BYTES)} bytes; got ${String(key.length)}`);
    }
    this.#key = key;
  }

  /** The operator's key (base64) if given, else the data directory's key, created on first use. */
  static async load(dataDir: string, base64Key?: string): Promise<SecretBox> {
    if (base64Key !== undefined) {
      return new SecretBox(Buffer.from(base64Key, 'base64'));
    }
    return new SecretBox(await readOrCreateKey(join(dataDir, SECRET_KEY_FILE)));
  }

  seal(plaintext: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64');
  }

  open(sealed: string): string {
    if (!sealed.startsWith(PREFIX)) {
      throw new Error('Not a sealed value');
    }
    const raw = Buffer.from(sealed.slice(PREFIX.length), 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.#key, raw.subarray(0, IV_BYTES));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    try {
      return Buffer.concat([
        decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new Error(
        'Cannot decrypt a stored secret: the secret key differs from the one it was sealed with',
      );
    }
  }
}

async function readOrCreateKey(path: string): Promise<Buffer> {
  try {
    return Buffer.from((await readFile(path, 'utf8')).trim(), 'base64');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw error;
    }
  }
  // Written whole and fsync'd before it is renamed into place: a crash never leaves half a key.
  const key = randomBytes(KEY_BYTES);
  const temporary = `${path}.${String(process.pid)}.tmp`;
  const file = await open(temporary, 'w', 0o600);
  try {
    await file.writeFile(key.toString('base64') + '\n');
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temporary, path);
  return key;
}
