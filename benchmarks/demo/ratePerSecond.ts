/**
 * A meter for a growing count: each call returns how fast the count grew, per second, since the
 * previous call (or since the meter was made).
 */
export function ratePerSecond(): (count: number) => number {
  let lastCount = 0;
  let lastAt = performance.now();
  return (count) => {
    const now = performance.now();
    const rate = ((count - lastCount) * 1000) / Math.max(1, now - lastAt);
    lastCount = count;
    lastAt = now;
    return rate;
  };
}
