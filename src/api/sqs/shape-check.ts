import { missingParameter, sqsError } from '../../events/sqs/errors.js';
import type { Shape, StructShape } from './shapes.js';

/**
 * Checks a decoded request against its input shape: every required member present, every
 * value of its shape's type. Either protocol's decoder feeds it, so the operations can trust
 * the types they read.
 */
export function checkInput(shape: StructShape, value: unknown): Record<string, unknown> {
  check(shape, value, '');
  return value as Record<string, unknown>;
}

function check(shape: Shape, value: unknown, path: string): void {
  if (typeof shape === 'string') {
    const ok =
      shape === 'integer'
        ? Number.isSafeInteger(value)
        : shape === 'boolean'
          ? typeof value === 'boolean'
          : typeof value === 'string';
    if (!ok) {
      throw sqsError(
        'SerializationException',
        `Value ${value === undefined ? 'undefined' : JSON.stringify(value)} at ${path} is not of type ${shape}.`,
      );
    }
    return;
  }
  if ('list' in shape) {
    if (!Array.isArray(value)) {
      throw notOfType(path, 'list');
    }
    value.forEach((element, i) => {
      check(shape.list, element, `${path}.${String(i + 1)}`);
    });
    return;
  }
  if (!isObject(value)) {
    throw notOfType(path, 'map' in shape ? 'map' : 'structure');
  }
  if ('map' in shape) {
    for (const [key, element] of Object.entries(value)) {
      check(shape.map, element, `${path}.${key}`);
    }
    return;
  }
  for (const [name, member] of Object.entries(shape.struct)) {
    const memberValue = value[name];
    if (memberValue === undefined || memberValue === null) {
      if (member.required) {
        throw missingParameter(path === '' ? name : `${path}.${name}`);
      }
      continue;
    }
    check(member.shape, memberValue, path === '' ? name : `${path}.${name}`);
  }
}

function notOfType(path: string, type: string): Error {
  return sqsError('SerializationException', `Value at ${path} is not a ${type}.`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
