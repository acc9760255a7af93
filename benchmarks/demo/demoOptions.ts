import type { BackpressureStrategy } from '../../src/index.js';

/** The demo's flags, checked. */
export interface DemoOptions {
  /** Seconds the demo runs. */
  readonly duration: number;
  /** The slow service's capacity (calls at once). */
  readonly capacity: number;
  /** What withHandshake does with items the service is not ready for. */
  readonly strategy: BackpressureStrategy;
  /** The slow service's latency per call in milliseconds, when healthy. */
  readonly latency: number;
  /** Items the producer emits per second. */
  readonly rate: number;
  /** Seconds from its production within which a job's success still counts as useful. */
  readonly deadline: number;
  /** Where to write the HTML report, if anywhere. */
  readonly report: string | undefined;
}

export const demoUsage = `Usage: npm run demo -- [--duration S] [--capacity N] [--strategy buffer|drop|latest|error]
                      [--latency MS] [--rate ITEMS_PER_S] [--deadline S] [--report FILE.html]`;

const strategies: readonly BackpressureStrategy[] = ['buffer', 'drop', 'latest', 'error'];

function number(flag: string, text: string, accepts: (value: number) => boolean, expected: string): number {
  const value = Number(text);
  if (text.trim() === '' || !accepts(value))
    throw new RangeError(`--${flag} must be ${expected}, got '${text}'.`);
  return value;
}

/** Parses `--flag value` and `--flag=value` pairs; throws a RangeError naming the flag and the value. */
export function parseDemoOptions(argv: readonly string[]): DemoOptions {
  const given = new Map<string, string>();
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index] as string;
    if (!argument.startsWith('--')) throw new RangeError(`Unexpected argument '${argument}'.\n${demoUsage}`);
    const [flag, inline] = argument.slice(2).split('=', 2) as [string, string | undefined];
    const value = inline ?? argv[++index];
    if (value === undefined) throw new RangeError(`--${flag} needs a value.\n${demoUsage}`);
    given.set(flag, value);
  }
  const known = ['duration', 'capacity', 'strategy', 'latency', 'rate', 'deadline', 'report'];
  for (const flag of given.keys()) {
    if (!known.includes(flag)) throw new RangeError(`Unknown flag --${flag}.\n${demoUsage}`);
  }
  const strategy = given.get('strategy') ?? 'buffer';
  if (!(strategies as readonly string[]).includes(strategy)) {
    throw new RangeError(`--strategy must be one of ${strategies.join(', ')}, got '${strategy}'.`);
  }
  const positive = (value: number) => Number.isFinite(value) && value > 0;
  const positiveInteger = (value: number) => Number.isSafeInteger(value) && value > 0;
  return {
    duration: number('duration', given.get('duration') ?? '15', positive, 'a positive number of seconds'),
    capacity: number('capacity', given.get('capacity') ?? '8', positiveInteger, 'a positive integer'),
    strategy: strategy as BackpressureStrategy,
    latency: number('latency', given.get('latency') ?? '40', positive, 'a positive number of milliseconds'),
    rate: number(
      'rate',
      given.get('rate') ?? '4000',
      positiveInteger,
      'a positive integer of items per second',
    ),
    deadline: number('deadline', given.get('deadline') ?? '1', positive, 'a positive number of seconds'),
    report: given.get('report'),
  };
}
