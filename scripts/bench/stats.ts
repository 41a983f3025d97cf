// Small numeric and process helpers the benchmark sections share.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Nearest-rank percentile (p in 0–100); NaN for no values. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

export function round(value: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export async function timed<T>(body: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await body();
  return { ms: performance.now() - started, value };
}

/** Runs `fn` over `items` with at most `concurrency` in flight; results in input order. */
export async function pool<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  });
  await Promise.all(lanes);
  return results;
}

const execFileAsync = promisify(execFile);

/** Resident set size of a process in MB (Linux /proc, else `ps`). */
export async function rssMb(pid: number): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1]);
    if (Number.isFinite(kb)) return kb / 1024;
  } catch {
    // Not Linux: fall through to ps.
  }
  const { stdout } = await execFileAsync('ps', ['-o', 'rss=', '-p', String(pid)]);
  return Number(stdout.trim()) / 1024;
}

/** Samples the RSS of some processes every `intervalMs`, keeping each one's peak. */
export class RssSampler {
  private readonly peaks = new Map<number, number>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly pids: number[],
    private readonly intervalMs = 500,
  ) {}

  start(): this {
    const sample = () =>
      void Promise.all(this.pids.map(async (pid) => this.note(pid, await rssMb(pid).catch(() => 0))));
    sample();
    this.timer = setInterval(sample, this.intervalMs);
    return this;
  }

  private note(pid: number, mb: number): void {
    this.peaks.set(pid, Math.max(this.peaks.get(pid) ?? 0, mb));
  }

  peak(pid: number): number {
    return this.peaks.get(pid) ?? 0;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/** CPU time (user + system) a process has used so far, in seconds; NaN where /proc is missing. */
export async function cpuSeconds(pid: number): Promise<number> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at ") ".
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

/** CPU seconds each named process used between `start()` and `stop()`. */
export class CpuMeter {
  private readonly before = new Map<string, number>();

  constructor(private readonly pids: Record<string, number>) {}

  async start(): Promise<this> {
    for (const [name, pid] of Object.entries(this.pids)) this.before.set(name, await cpuSeconds(pid));
    return this;
  }

  async stop(): Promise<Record<string, number>> {
    const used: Record<string, number> = {};
    for (const [name, pid] of Object.entries(this.pids))
      used[name] = round((await cpuSeconds(pid)) - this.before.get(name)!, 1);
    return used;
  }
}
