/**
 * The default branch of a switch over a discriminated union: it compiles only when every member was
 * handled, so a phase added later is a type error at each machine that forgets it.
 */
export function assertNever(value: never): never {
  throw new Error(`Unexpected phase or event: ${JSON.stringify(value)}`);
}
