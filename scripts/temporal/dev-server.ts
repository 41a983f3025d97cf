// Runs `temporal server start-dev` as a child process for `npm run temporal`, the demo and
// the end-to-end tests: SQLite persistence when a file is given, our search attributes
// registered at start (harmless when the file already has them), loopback only.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname } from 'node:path';
import { Connection } from '@temporalio/client';
import { temporalCliPath } from './binaries.js';
import { ONBOARDING_SEARCH_ATTRIBUTE_NAMES } from '../../src/workflows/search-attributes.js';
import proto from '@temporalio/proto';

// CommonJS package: its namespaces come through the default export under ESM.
const { temporal } = proto;

export interface DevServerOptions {
  /** SQLite file that keeps runs across restarts; without it state lives in memory. */
  dbFile?: string;
  /** gRPC frontend port; default a free port. */
  port?: number;
  /** Web UI port; default a free port. Ignored with `ui: false`. */
  uiPort?: number;
  /** Serve the Web UI (default true). */
  ui?: boolean;
  /** Codec server the UI calls to show decoded payloads. */
  codecEndpoint?: string;
  /** Interface to bind; loopback unless you know why not. */
  ip?: string;
  /** Receives the server's own output, line by line. */
  log?: (line: string) => void;
  startTimeoutMs?: number;
  /** The `temporal` binary; default from binaries.ts. */
  executable?: string;
}

export interface DevServer {
  /** host:port for TEMPORAL_ADDRESS. */
  address: string;
  /** Web UI base URL, when the UI is served. */
  uiUrl?: string;
  pid: number;
  /** Settles when the process ends, for whatever reason. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL if the server has not exited after `graceMs` (default 10 s). */
  stop(graceMs?: number): Promise<void>;
}

export class PortInUseError extends Error {
  constructor(
    readonly port: number,
    readonly ip: string,
    readonly purpose: string,
  ) {
    super(
      `port ${port} on ${ip} (${purpose}) is already in use: another Temporal server may be running; stop it or choose another port`,
    );
    this.name = 'PortInUseError';
  }
}

/** Resolves with `port` if it can be bound on `ip` (0 → a free one), else rejects with PortInUseError. */
export function claimPort(port: number, ip: string, purpose: string): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new PortInUseError(port, ip, purpose) : err),
    );
    probe.listen({ port, host: ip, exclusive: true }, () => {
      const address = probe.address();
      const bound = typeof address === 'object' && address ? address.port : port;
      probe.close(() => resolvePort(bound));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The frontend answers and the default namespace already has every onboarding search attribute. */
async function frontendReady(address: string): Promise<boolean> {
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address, connectTimeout: 1_000 });
    await connection.workflowService.getSystemInfo({});
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
    const missing = ONBOARDING_SEARCH_ATTRIBUTE_NAMES.filter((name) => customAttributes?.[name] === undefined);
    if (missing.length === 0) return true;
    // The flags register attributes only in a new database: one kept from an earlier release
    // meets the attributes added since here.
    await connection.operatorService.addSearchAttributes({
      namespace: 'default',
      searchAttributes: Object.fromEntries(
        missing.map((name) => [name, temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD]),
      ),
    });
    return false;
  } catch {
    return false;
  } finally {
    await connection?.close().catch(() => undefined);
  }
}

async function uiReady(uiUrl: string): Promise<boolean> {
  try {
    const res = await fetch(uiUrl, { signal: AbortSignal.timeout(1_000) });
    await res.body?.cancel();
    return res.status < 500;
  } catch {
    return false;
  }
}

function startArgs(opts: DevServerOptions, ip: string, port: number, uiPort: number | undefined): string[] {
  const args = ['server', 'start-dev', '--ip', ip, '--port', String(port), '--log-level', 'warn'];
  if (opts.dbFile) args.push('--db-filename', opts.dbFile);
  if (uiPort === undefined) args.push('--headless');
  else args.push('--ui-port', String(uiPort));
  if (opts.codecEndpoint && uiPort !== undefined) args.push('--ui-codec-endpoint', opts.codecEndpoint);
  // All ours are Keyword; re-registering an existing one with the same type is a no-op.
  for (const name of ONBOARDING_SEARCH_ATTRIBUTE_NAMES) args.push('--search-attribute', `${name}=Keyword`);
  return args;
}

function childEnv(): NodeJS.ProcessEnv {
  // The dev server is configured by flags alone; a TEMPORAL_ADDRESS or profile meant for clients must not leak in.
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('TEMPORAL_')));
}

function forwardLines(child: ChildProcess, sink: (line: string) => void): void {
  for (const stream of [child.stdout, child.stderr]) {
    let pending = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) sink(line);
    });
  }
}

/**
 * The SQLite file holds every run's history (encrypted payloads, but ids, names and search
 * attributes in the clear): owner-only, like the rest of .data/. The server creates it (a file
 * that exists but is empty makes it fail), so it is started under an owner-only umask, and a
 * file left by an earlier start is tightened.
 */
function keepOwnerOnly(dbFile: string): void {
  mkdirSync(dirname(dbFile), { recursive: true, mode: 0o700 });
  chmodSync(dirname(dbFile), 0o700);
  for (const file of [dbFile, `${dbFile}-wal`, `${dbFile}-shm`]) if (existsSync(file)) chmodSync(file, 0o600);
}

export async function startDevServer(opts: DevServerOptions = {}): Promise<DevServer> {
  const ip = opts.ip ?? '127.0.0.1';
  const port = await claimPort(opts.port ?? 0, ip, 'Temporal frontend');
  const uiPort = opts.ui === false ? undefined : await claimPort(opts.uiPort ?? 0, ip, 'Temporal Web UI');
  if (opts.dbFile) keepOwnerOnly(opts.dbFile);
  const executable = opts.executable ?? temporalCliPath();
  const address = `${ip}:${port}`;
  const uiUrl = uiPort === undefined ? undefined : `http://${ip}:${uiPort}`;

  // The child inherits the umask at spawn: files the server creates are owner-only.
  const umask = process.umask(0o077);
  let child;
  try {
    child = spawn(executable, startArgs(opts, ip, port, uiPort), {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: childEnv(),
    });
  } finally {
    process.umask(umask);
  }
  const recentOutput: string[] = [];
  forwardLines(child, (line) => {
    recentOutput.push(line);
    if (recentOutput.length > 20) recentOutput.shift();
    opts.log?.(line);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) => {
    child.once('exit', (code, signal) => resolveExit({ code, signal }));
  });
  let hasExited = false;
  void exited.then(() => (hasExited = true));
  const spawnError = new Promise<Error>((resolveError) => child.once('error', resolveError));
  // A test runner or script that exits without stop() must not leave a server behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const stop = async (graceMs = 10_000): Promise<void> => {
    process.removeListener('exit', killOnExit);
    // No pid: the binary never started (spawn error), so there is nothing to stop or wait for.
    if (child.pid === undefined || hasExited || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };

  const deadline = Date.now() + (opts.startTimeoutMs ?? 60_000);
  let failure: string | undefined;
  void spawnError.then((err) => (failure = `could not run ${executable}: ${err.message}`));
  void exited.then(
    ({ code, signal }) => (failure ??= `temporal server exited during start-up (${signal ?? `code ${code}`})`),
  );
  for (;;) {
    if (failure) {
      await stop();
      throw new Error(`${failure}\n${recentOutput.join('\n')}`.trim());
    }
    if ((await frontendReady(address)) && (uiUrl === undefined || (await uiReady(uiUrl)))) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(
        `temporal server at ${address} did not become ready within ${opts.startTimeoutMs ?? 60_000} ms\n${recentOutput.join('\n')}`.trim(),
      );
    }
    await sleep(200);
  }
  return { address, uiUrl, pid: child.pid ?? -1, exited, stop };
}
