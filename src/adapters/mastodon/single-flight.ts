/**
 * Runs an async task one at a time. A call while it runs shares the running
 * promise; with `rerun`, it also makes the task run once more right after
 * (so a request that came in mid-run is not answered by a run that started
 * before it).
 */
export class SingleFlight<A> {
  private running: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly task: (arg: A) => Promise<void>,
    private readonly options: { readonly rerun: boolean; readonly stopped?: () => boolean },
  ) {}

  get busy(): boolean {
    return this.running !== null;
  }

  run(arg: A): Promise<void> {
    if (this.running) {
      if (this.options.rerun) this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.task(arg);
      } while (this.again && !this.options.stopped?.());
    })().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Resolves once the run in flight (if any) is over, whatever its outcome. */
  async settled(): Promise<void> {
    await this.running?.catch(() => undefined);
  }
}
