import { delay, filter, mergeMap, of, Subject, VirtualAction, VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  CreditController,
  type FlowAlert,
  FlowMonitor,
  mergeMapWithCredits,
  pullFrom,
  requestCredits,
} from '../../src/index.js';

function* lines(count: number) {
  for (let i = 0; i < count; i++) yield i % 4 === 0 ? `DEBUG ${i}` : `INFO ${i}`;
}

/** A monitor on a virtual clock, ticking every 100 ms, with the stalled rule, and its alerts. */
function stallMonitor(name: string, forMs = 1_000) {
  const scheduler = new VirtualTimeScheduler(VirtualAction, 10_000);
  const monitor = new FlowMonitor({ name, interval: 100, scheduler, alerts: { stalled: { for: forMs } } });
  const alerts: FlowAlert[] = [];
  monitor.alerts$.subscribe((alert) => alerts.push(alert));
  return { scheduler, monitor, alerts };
}

describe("FlowMonitor's stalled rule", () => {
  it('raises within 1 s, naming the stage, when a filter breaks a hand-made loop around pullFrom', () => {
    const { scheduler, monitor, alerts } = stallMonitor('log import', 500);
    const credits = new CreditController({ initial: 4 });
    const workDone = new Subject<void>();
    pullFrom(lines(1_000), credits, { monitor })
      .pipe(
        filter((line) => !line.startsWith('DEBUG')),
        mergeMap(() => workDone), // work that never finishes here: the grant is the test's to make
      )
      .subscribe();
    scheduler.flush();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ name: 'log import', rule: 'stalled', status: 'raised', at: 600 });
    expect(alerts[0]?.message).toMatch(
      /^log import: stalled for 500 ms: a source not yet ended, no credit outstanding and nothing in flight; did a step .* drop or merge items/,
    );
  });

  it('raises for a requestCredits buffer left without credit, and clears once credit comes', () => {
    const { scheduler, monitor, alerts } = stallMonitor('orders', 500);
    const credits = new CreditController({ initial: 1 });
    of(1, 2, 3).pipe(requestCredits(credits, { monitor })).subscribe();
    scheduler.schedule(() => credits.grant(2), 2_000);
    scheduler.flush();
    expect(alerts.map(({ status, at }) => [status, at])).toEqual([
      ['raised', 600],
      ['cleared', 2_000],
    ]);
    expect(alerts[0]?.message).toMatch(/^orders: stalled for 500 ms: 2 items waiting, no credit outstanding/);
  });

  it('stays quiet for a loop closed by a stage, with work in flight the whole time', () => {
    const { scheduler, monitor, alerts } = stallMonitor('closed loop', 300);
    const stage = mergeMapWithCredits((line: string) => of(line).pipe(delay(250, scheduler)), {
      concurrency: 2,
    });
    pullFrom(lines(40), stage, { monitor })
      .pipe(
        filter((line) => !line.startsWith('DEBUG')),
        stage,
      )
      .subscribe();
    scheduler.flush();
    expect(monitor.snapshot().received).toBe(40);
    expect(alerts).toEqual([]);
  });

  it('refuses a stalled rule without a valid for', () => {
    expect(() => new FlowMonitor({ name: 'a', alerts: { stalled: { for: -1 } } })).toThrow(
      /options\.alerts\.stalled\.for must be a finite number of milliseconds >= 0, got -1/,
    );
    expect(() => new FlowMonitor({ name: 'a', alerts: { stalled: true as never } })).toThrow(TypeError);
  });
});
