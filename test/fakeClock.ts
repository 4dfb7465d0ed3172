import type { Clock, TimerHandle } from '../src/core/clock';

/**
 * A clock that only moves when told to (tests). `advance(ms)` runs every timer that falls due, in time order,
 * letting promise callbacks settle between them.
 */
export class FakeClock implements Clock {
  private time: number;
  private seq = 0;
  private timers: { id: number; due: number; fn: () => void; every?: number }[] = [];

  constructor(start = Date.parse('2026-01-01T00:00:00Z')) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    return this.add(fn, ms);
  }

  setInterval(fn: () => void, ms: number): TimerHandle {
    return this.add(fn, ms, Math.max(1, ms));
  }

  /** Timers waiting now (tests assert nothing is left running). */
  get pending(): number {
    return this.timers.length;
  }

  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      await flushMicrotasks();
      const next = this.timers.filter((t) => t.due <= end).sort((a, b) => a.due - b.due || a.id - b.id)[0];
      if (!next) break;
      this.time = next.due;
      if (next.every) next.due += next.every;
      else this.timers = this.timers.filter((t) => t !== next);
      next.fn();
    }
    this.time = end;
    await flushMicrotasks();
  }

  private add(fn: () => void, ms: number, every?: number): TimerHandle {
    const timer = { id: ++this.seq, due: this.time + Math.max(0, ms), fn, every };
    this.timers.push(timer);
    return { cancel: () => { this.timers = this.timers.filter((t) => t !== timer); } };
  }
}

async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
  await new Promise<void>((resolve) => setImmediate(resolve));
}
