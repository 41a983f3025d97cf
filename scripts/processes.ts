// Child processes for the demo, benchmarks and end-to-end tests: start a program, wait for
// the line that says it is ready, stop it (SIGTERM, then SIGKILL), and never leave one behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { resolve } from 'node:path';

/**
 * How every launcher starts the worker: the shell script sets the allocator and V8 memory
 * settings before Node starts (neither can be changed from inside the process).
 */
export const WORKER_LAUNCHER = resolve(import.meta.dirname, '..', '..', 'bin', 'g2p-onboard-worker');

export interface ManagedProcess {
  name: string;
  child: ChildProcess;
  /** Every line it printed (stdout and stderr), for diagnostics and secret scans. */
  output: string[];
  stop(graceMs?: number): Promise<void>;
  kill(signal?: NodeJS.Signals): void;
}

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Resolve once a line matches; reject if the process exits first or after `timeoutMs`. */
  readyLine: RegExp;
  timeoutMs?: number;
  /** Echo the process's lines with a prefix. */
  echo?: boolean;
  /** Also append every line to this file (owner-only): the demo keeps its services' logs under .data/. */
  logFile?: string;
}

const live = new Set<ManagedProcess>();
process.once('exit', () => {
  for (const p of live) p.kill('SIGKILL');
});

export async function startProcess(
  name: string,
  command: string,
  args: string[],
  opts: StartOptions,
): Promise<ManagedProcess> {
  const child = spawn(command, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = opts.logFile ? createWriteStream(opts.logFile, { flags: 'a', mode: 0o600 }) : undefined;
  if (log) child.once('exit', () => log.end());
  const output: string[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const managed: ManagedProcess = {
    name,
    child,
    output,
    kill: (signal = 'SIGKILL') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    stop: async (graceMs = 5000) => {
      live.delete(managed);
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
  live.add(managed);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new Error(
            `${name} did not become ready within ${opts.timeoutMs ?? 30_000} ms:\n${output.slice(-20).join('\n')}`,
          ),
        ),
      opts.timeoutMs ?? 30_000,
    );
    const onLine = (line: string) => {
      output.push(line);
      log?.write(`${line}\n`);
      if (opts.echo) console.log(`[${name}] ${line}`);
      if (opts.readyLine.test(line)) {
        clearTimeout(timer);
        resolve();
      }
    };
    createInterface({ input: child.stdout! }).on('line', onLine);
    createInterface({ input: child.stderr! }).on('line', onLine);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code ?? signal}) before it was ready:\n${output.slice(-20).join('\n')}`));
    });
  }).catch(async (err) => {
    await managed.stop(1000);
    throw err;
  });
  return managed;
}
