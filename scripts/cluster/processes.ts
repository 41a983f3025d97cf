// The cluster's long-lived processes: started detached (they outlive `npm run cluster`), their
// output in owner-only log files, their pids in a state file so `--stop` ends exactly what was
// started. A pid is only ever signalled while /proc shows the same start time as recorded,
// so a pid reused by another program after a reboot or crash is left alone.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface ProcessRecord {
  pid: number;
  /** /proc/<pid>/stat field 22: the process's start time in clock ticks since boot. */
  startTicks: number;
  log: string;
}

export function startTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at field 3.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
  } catch {
    return undefined;
  }
}

export function isAlive(record: ProcessRecord): boolean {
  const ticks = startTicks(record.pid);
  if (ticks === undefined || ticks !== record.startTicks) return false;
  // A zombie (exited, not yet reaped by its parent) counts as gone.
  try {
    return !readFileSync(`/proc/${record.pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function spawnDetached(
  command: string,
  args: string[],
  opts: { env: NodeJS.ProcessEnv; log: string; cwd?: string },
): ProcessRecord {
  const out = openSync(opts.log, 'a', 0o600);
  try {
    const child = spawn(command, args, {
      env: opts.env,
      cwd: opts.cwd,
      detached: true,
      stdio: ['ignore', out, out],
    });
    child.unref();
    if (child.pid === undefined) throw new Error(`could not start ${command}`);
    return { pid: child.pid, startTicks: startTicks(child.pid) ?? -1, log: opts.log };
  } finally {
    closeSync(out);
  }
}

/** SIGTERM (or `signal`), then SIGKILL after `graceMs`; resolves once the process is gone. */
export async function stopRecorded(record: ProcessRecord, graceMs = 10_000, signal: NodeJS.Signals = 'SIGTERM') {
  if (!isAlive(record)) return;
  process.kill(record.pid, signal);
  const deadline = Date.now() + graceMs;
  while (isAlive(record)) {
    if (Date.now() > deadline) {
      process.kill(record.pid, 'SIGKILL');
      while (isAlive(record)) await sleep(50);
      return;
    }
    await sleep(100);
  }
}

export function logSize(log: string): number {
  return existsSync(log) ? statSync(log).size : 0;
}

export function logTail(log: string, lines = 20, from = 0): string {
  try {
    return readFileSync(log, 'utf8').slice(from).trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Polls `ready` until it holds; fails early, with the log's tail, if the process ends first. */
export async function waitReady(
  name: string,
  record: ProcessRecord,
  ready: () => Promise<boolean>,
  timeoutMs: number,
  logFrom = 0,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await ready()) return;
    if (!isAlive(record))
      throw new Error(`${name} exited during start-up; the end of ${record.log}:\n${logTail(record.log, 20, logFrom)}`);
    if (Date.now() > deadline)
      throw new Error(
        `${name} was not ready within ${timeoutMs / 1000} s; the end of ${record.log}:\n${logTail(record.log, 20, logFrom)}`,
      );
    await sleep(250);
  }
}

export const logPath = (dir: string, name: string) => join(dir, 'logs', `${name}.log`);
