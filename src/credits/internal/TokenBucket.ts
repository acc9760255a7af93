import type { SchedulerLike, Subscription } from 'rxjs';
import type { RateCreditsSettings } from './rateCreditsSettings.js';

/** A token, in thousandths, so that whole milliseconds at a whole rate accrue without rounding. */
const unit = 1000;

/**
 * The bucket of a `RateCredits` and the clock it runs on, apart from who takes its credit: credit
 * accrues at `perSecond` by the scheduler's clock, never beyond what `burst` leaves room for beside
 * the credit granted and not yet spent (`outstanding`), and not at all while paused. One timer at a
 * time tells the owner when the next whole credit is due; accrual is computed from the clock, so a
 * late timer loses nothing.
 */
export class TokenBucket {
  readonly burst: number;
  readonly #perSecond: number;
  readonly #scheduler: SchedulerLike;
  /** Accrued credit not yet granted, in thousandths of a credit. */
  #accrued: number;
  #outstanding = 0;
  /** When accrual was last brought up to date. */
  #since: number;
  #paused = false;
  #timer: Subscription | undefined = undefined;
  /** Told when the timer finds the next whole credit accrued. */
  readonly #due: () => void;

  constructor(settings: RateCreditsSettings, due: () => void) {
    this.#perSecond = settings.perSecond;
    this.burst = settings.burst;
    this.#scheduler = settings.scheduler;
    this.#accrued = settings.initial * unit;
    this.#since = settings.scheduler.now();
    this.#due = due;
  }

  /** Credit granted and not yet spent. */
  get outstanding(): number {
    return this.#outstanding;
  }

  get paused(): boolean {
    return this.#paused;
  }

  /** Brings accrual up to now: never beyond what `burst` leaves room for. */
  catchUp(): void {
    const now = this.#scheduler.now();
    if (!this.#paused) {
      const room = (this.burst - this.#outstanding) * unit;
      this.#accrued = Math.min(room, this.#accrued + (now - this.#since) * this.#perSecond);
    }
    this.#since = now;
  }

  /** Stops accrual and the timer. */
  pause(): void {
    this.catchUp();
    this.#paused = true;
    this.cancelTimer();
  }

  /** Restarts accrual from now: the pause itself earns nothing. */
  resume(): void {
    this.#paused = false;
    this.#since = this.#scheduler.now();
  }

  /** Grants every whole accrued credit: returns how many (0 when none has accrued, or paused). */
  grantWhole(): number {
    if (this.#paused) return 0;
    const whole = Math.floor(this.#accrued / unit);
    this.#accrued -= whole * unit;
    this.#outstanding += whole;
    return whole;
  }

  /** `n` granted credits were spent: room for more. */
  spent(n: number): void {
    this.#outstanding -= n;
  }

  /** Credit granted to a consumer that left without spending it goes back into the bucket. */
  refund(): void {
    this.cancelTimer();
    this.catchUp();
    this.#accrued += this.#outstanding * unit;
    this.#outstanding = 0;
  }

  /**
   * Sets the one timer, due when the next whole credit has accrued (at least 1 ms on); none when one
   * is set already or nothing can accrue (the bucket is full, or paused).
   */
  wakeWhenDue(): void {
    if (this.#timer !== undefined || this.#paused || this.#outstanding >= this.burst) return;
    const delay = Math.max(1, Math.ceil((unit - this.#accrued) / this.#perSecond));
    this.#timer = this.#scheduler.schedule(this.#fire, delay);
  }

  cancelTimer(): void {
    this.#timer?.unsubscribe();
    this.#timer = undefined;
  }

  readonly #fire = (): void => {
    this.#timer = undefined;
    this.catchUp();
    this.#due();
  };
}
