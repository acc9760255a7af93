import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { hasMembers, knownOptions, type MemberTypes, objectWithMembers } from '../../src/core/validation.js';

interface Door {
  readonly label: string;
  readonly locked: boolean;
  open(): void;
}

const doorMembers: MemberTypes<Door> = { label: 'string', locked: 'boolean', open: 'function' };

class ClassDoor implements Door {
  readonly label = 'front';
  locked = false;
  open(): void {}
}

describe('hasMembers', () => {
  it('accepts any object whose members have the listed types, a plain object or a class instance', () => {
    expect(hasMembers<Door>({ label: 'back', locked: true, open: () => {} }, doorMembers)).toBe(true);
    // Methods on the prototype count: the check reads members, not own keys.
    expect(hasMembers<Door>(new ClassDoor(), doorMembers)).toBe(true);
  });

  it('refuses an object that lacks a member or has one of another type', () => {
    expect(hasMembers<Door>({ label: 'back', locked: true }, doorMembers)).toBe(false);
    expect(hasMembers<Door>({ label: 'back', locked: 'yes', open: () => {} }, doorMembers)).toBe(false);
  });

  test.prop([fc.oneof(fc.constant(null), fc.constant(undefined), fc.string(), fc.double(), fc.boolean())])(
    'refuses every value that is not an object, whatever members are asked for',
    (value) => {
      expect(hasMembers<Door>(value, doorMembers)).toBe(false);
      expect(hasMembers<Door>(value, {})).toBe(false);
    },
  );
});

describe('objectWithMembers', () => {
  it('returns the value itself when its shape fits', () => {
    const door = new ClassDoor();
    expect(objectWithMembers<Door>(door, doorMembers, 'options.door', 'a Door')).toBe(door);
  });

  it('throws a TypeError naming the argument, what was expected and the value', () => {
    expect(() =>
      objectWithMembers<Door>({ label: 'x' }, doorMembers, 'options.door', 'a Door (with open)'),
    ).toThrow(new TypeError('options.door must be a Door (with open), got an object.'));
    expect(() => objectWithMembers<Door>('door', doorMembers, 'options.door', 'a Door')).toThrow(
      new TypeError("options.door must be a Door, got 'door' (string)."),
    );
  });
});

describe('knownOptions', () => {
  it('reads absent options as an empty object and hands a known one back as it is', () => {
    expect(knownOptions(undefined, ['a'], 'options')).toEqual({});
    const given = { a: 1 };
    expect(knownOptions(given, ['a', 'b'], 'options')).toBe(given);
  });

  it('refuses options that are not an object with a TypeError naming the argument and the value', () => {
    expect(() => knownOptions(5 as unknown as object, ['a'], 'options')).toThrow(
      new TypeError('options must be an object, got 5.'),
    );
  });

  it('refuses an unknown key, naming the option it most likely meant and every option there is', () => {
    expect(() => knownOptions({ bufferSIZE: 1 }, ['bufferSize', 'strategy'], 'options')).toThrow(
      new TypeError(
        'options.bufferSIZE is not an option here (did you mean bufferSize?); the options are bufferSize, strategy.',
      ),
    );
  });
});
