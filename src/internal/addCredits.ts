/**
 * Adds a grant to outstanding credit. A total beyond `Number.MAX_SAFE_INTEGER` is unbounded
 * (`Infinity`, Reactive Streams §3.17): past it, counting would lose precision and could deliver more
 * than was granted.
 */
export function addCredits(outstanding: number, grant: number): number {
  const total = outstanding + grant;
  return total > Number.MAX_SAFE_INTEGER ? Number.POSITIVE_INFINITY : total;
}
