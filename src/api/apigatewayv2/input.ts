/**
 * The members of an API Gateway v2 request body, read with their JSON types checked: a wrong
 * type is a BadRequestException naming the member, as API Gateway answers it.
 */
import { badRequest } from '../../control/http-apis/errors.js';

export class Input {
  readonly #body: Readonly<Record<string, unknown>>;

  private constructor(body: Readonly<Record<string, unknown>>) {
    this.#body = body;
  }

  /** A restJson1 body: empty means no members, anything else must be a JSON object. */
  static parse(body: Buffer): Input {
    if (body.length === 0) {
      return new Input({});
    }
    let value: unknown;
    try {
      value = JSON.parse(body.toString('utf8'));
    } catch {
      throw badRequest('Invalid request body: it is not JSON.');
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw badRequest('Invalid request body: it must be a JSON object.');
    }
    return new Input(value as Record<string, unknown>);
  }

  string(member: string): string | undefined {
    return this.#typed(member, 'a string', (v): v is string => typeof v === 'string');
  }

  boolean(member: string): boolean | undefined {
    return this.#typed(member, 'a boolean', (v): v is boolean => typeof v === 'boolean');
  }

  integer(member: string): number | undefined {
    return this.#typed(member, 'an integer', (v): v is number => Number.isInteger(v));
  }

  stringMap(member: string): Record<string, string> | undefined {
    return this.#typed(
      member,
      'a map of strings',
      (v): v is Record<string, string> =>
        typeof v === 'object' &&
        v !== null &&
        !Array.isArray(v) &&
        Object.values(v).every((item) => typeof item === 'string'),
    );
  }

  #typed<T>(member: string, what: string, is: (value: unknown) => value is T): T | undefined {
    const value = this.#body[member];
    if (value === undefined || value === null) {
      return undefined;
    }
    if (!is(value)) {
      throw badRequest(`Invalid input: ${member} must be ${what}.`);
    }
    return value;
  }
}
