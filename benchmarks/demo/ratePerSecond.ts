/**
 * A meter for a growing count: each call returns how fast the count grew, per second, since the
 * previous call (or since the meter was made), by the clock `now` (in ms).
 */
export function ratePerSecond(now: () => number): (count: number) => number {
  let lastCount = 0;
  let lastAt = now();
  return (count) => {
    const at = now();
    const rate = ((count - lastCount) * 1000) / Math.max(1, at - lastAt);
    lastCount = count;
    lastAt = at;
    return rate;
  };
}
