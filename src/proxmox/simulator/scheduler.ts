/** The simulator's timers, so that stop() can cancel every pending effect at once. */
export class Scheduler {
  private readonly timers = new Set<NodeJS.Timeout>();

  after(ms: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      action();
    }, Math.max(0, ms));
    // the listening server keeps the process alive; a lone task timer should not
    timer.unref();
    this.timers.add(timer);
  }

  clear(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
