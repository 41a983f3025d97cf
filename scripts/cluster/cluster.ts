// The production topology on this machine: PostgreSQL, the Temporal server's four services as
// separate processes from deploy/temporal/config.yaml, the schema and search-attribute steps
// Compose runs (the same scripts under deploy/), and optionally the Temporal UI. Workers and the
// codec server are added by the caller (scripts/cluster.ts, the soak, the benchmark, the smoke test).
// Everything it starts is recorded in <dir>/state.json, so another process can stop or restart
// one part by pid (`npm run cluster -- --restart history`, `--stop`).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { dirname, join } from 'node:path';
import { Connection } from '@temporalio/client';
import { projectRoot } from '../../src/project-root.js';
import { ONBOARDING_SEARCH_ATTRIBUTE_NAMES } from '../../src/workflows/search-attributes.js';
import { temporalCliPath } from '../temporal/binaries.js';
import { claimPort } from '../temporal/dev-server.js';
import { ensureServerTools, ensureUiTools } from './go-tools.js';
import { preparePostgres, startPostgres, stopPostgres, postgresPid, type Postgres } from './postgres.js';
import { isAlive, logPath, logSize, spawnDetached, stopRecorded, waitReady, type ProcessRecord } from './processes.js';
import {
  clusterPorts,
  DYNAMIC_CONFIG_FILE,
  NAMESPACE,
  SCHEMA_SETUP_SCRIPT,
  SEARCH_ATTRIBUTES_SCRIPT,
  SERVER_CONFIG_FILE,
  SERVER_SERVICES,
  serverEnvironment,
  UI_CONFIG_DIR,
  UI_CONFIG_ENV,
  type ClusterPorts,
  type ServerService,
} from './topology.js';

export const DEFAULT_CLUSTER_DIR = join(projectRoot, '.data', 'cluster');

export interface ClusterState {
  portOffset: number;
  ports: ClusterPorts;
  /** Name → process: temporal-<service>, ui, codec-server, worker-1, … */
  processes: Record<string, ProcessRecord>;
  /** The policy file the cluster's onboarding workers were given, for their restarts. */
  workerPolicy?: string;
}

export interface StartOptions {
  dir?: string;
  portOffset?: number;
  ui?: boolean;
  /** The UI's payload decoding goes to this codec server. */
  codecEndpoint?: string;
  log?: (line: string) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.setTimeout(1_000);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
  });
}

async function frontendAnswers(address: string, namespace?: string): Promise<boolean> {
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address, connectTimeout: 1_000 });
    await connection.withDeadline(Date.now() + 3_000, async () => {
      await connection!.workflowService.getSystemInfo({});
      if (namespace) await connection!.workflowService.describeNamespace({ namespace });
    });
    return true;
  } catch {
    return false;
  } finally {
    await connection?.close().catch(() => undefined);
  }
}

export class Cluster {
  readonly address: string;
  private constructor(
    readonly dir: string,
    readonly state: ClusterState,
    readonly pg: Postgres,
    private readonly log: (line: string) => void,
  ) {
    this.address = `127.0.0.1:${state.ports.frontend}`;
  }

  get ports(): ClusterPorts {
    return this.state.ports;
  }

  private save(): void {
    writeFileSync(join(this.dir, 'state.json'), `${JSON.stringify(this.state, null, 2)}\n`, { mode: 0o600 });
  }

  /** Starts PostgreSQL, the schema steps, the four services, the search attributes and (optionally) the UI. */
  static async start(opts: StartOptions = {}): Promise<Cluster> {
    const dir = opts.dir ?? DEFAULT_CLUSTER_DIR;
    const log = opts.log ?? (() => undefined);
    const existing = Cluster.open(dir, log);
    if (existing && Object.values(existing.state.processes).some(isAlive))
      throw new Error(`a cluster started from ${dir} is still running: stop it first (npm run cluster -- --stop)`);
    const portOffset = opts.portOffset ?? 0;
    const ports = clusterPorts(portOffset);
    // Every port this cluster will bind must be free now: a dev server on 7233 would otherwise answer for it.
    for (const [purpose, port] of Object.entries(ports))
      if (purpose !== 'codecServer' || opts.codecEndpoint === undefined) await claimPort(port, '127.0.0.1', purpose);
    mkdirSync(join(dir, 'logs'), { recursive: true, mode: 0o700 });
    const tools = ensureServerTools(log);
    const pg = preparePostgres(dir, ports.postgres, log);
    const cluster = new Cluster(dir, { portOffset, ports, processes: {} }, pg, log);
    cluster.save();
    try {
      log(`PostgreSQL on 127.0.0.1:${ports.postgres}${pg.osUser ? ` (as ${pg.osUser})` : ''}`);
      startPostgres(pg);
      cluster.runSchemaSetup(tools.sqlTool, tools.schemaDir);
      for (const service of SERVER_SERVICES) await cluster.startService(service);
      cluster.registerSearchAttributes();
      if (opts.ui) await cluster.startUi(opts.codecEndpoint);
      return cluster;
    } catch (err) {
      await cluster.stop().catch(() => undefined);
      throw err;
    }
  }

  /** The cluster recorded in `dir`, if one was started there. */
  static open(dir = DEFAULT_CLUSTER_DIR, log: (line: string) => void = () => undefined): Cluster | undefined {
    const file = join(dir, 'state.json');
    if (!existsSync(file)) return undefined;
    const state = JSON.parse(readFileSync(file, 'utf8')) as ClusterState;
    const pg = preparePostgres(dir, state.ports.postgres, log, false);
    return new Cluster(dir, state, pg, log);
  }

  private toolPath(): string {
    // The two deploy/ scripts call `temporal-sql-tool` and `temporal` by name, as in the admin-tools image.
    const bin = join(this.dir, 'bin');
    mkdirSync(bin, { recursive: true, mode: 0o700 });
    const link = join(bin, 'temporal');
    rmSync(link, { force: true });
    symlinkSync(temporalCliPath(), link);
    return [bin, dirname(ensureServerTools().sqlTool), process.env.PATH ?? ''].join(':');
  }

  /** deploy/temporal/setup-postgres.sh, as Compose's temporal-admin-tools runs it. */
  private runSchemaSetup(_sqlTool: string, schemaDir: string): void {
    this.log('schemas: temporal and temporal_visibility (temporal-sql-tool create, setup-schema, update-schema)');
    const result = spawnSync('sh', [join(projectRoot, SCHEMA_SETUP_SCRIPT)], {
      encoding: 'utf8',
      env: {
        ...process.env,
        PATH: this.toolPath(),
        POSTGRES_SEEDS: '127.0.0.1',
        DB_PORT: String(this.pg.port),
        POSTGRES_USER: 'temporal',
        SQL_PASSWORD: this.pg.password,
        SCHEMA_DIR: schemaDir,
      },
    });
    writeFileSync(logPath(this.dir, 'schema-setup'), `${result.stdout}${result.stderr}`, { mode: 0o600 });
    if (result.status !== 0)
      throw new Error(
        `${SCHEMA_SETUP_SCRIPT} failed:\n${`${result.stdout}${result.stderr}`.trim().split('\n').slice(-15).join('\n')}`,
      );
  }

  /** deploy/temporal/register-search-attributes.sh, as Compose's temporal-search-attributes runs it. */
  private registerSearchAttributes(): void {
    this.log(`namespace ${NAMESPACE} and search attributes ${ONBOARDING_SEARCH_ATTRIBUTE_NAMES.join(', ')}`);
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TEMPORAL_')));
    const result = spawnSync(
      'sh',
      [join(projectRoot, SEARCH_ATTRIBUTES_SCRIPT), NAMESPACE, ...ONBOARDING_SEARCH_ATTRIBUTE_NAMES],
      {
        encoding: 'utf8',
        env: { ...env, PATH: this.toolPath(), TEMPORAL_ADDRESS: this.address },
      },
    );
    writeFileSync(logPath(this.dir, 'search-attributes'), `${result.stdout}${result.stderr}`, { mode: 0o600 });
    if (result.status !== 0)
      throw new Error(
        `${SEARCH_ATTRIBUTES_SCRIPT} failed:\n${`${result.stdout}${result.stderr}`.trim().split('\n').slice(-15).join('\n')}`,
      );
  }

  serviceName = (service: ServerService) => `temporal-${service}`;

  async startService(service: ServerService): Promise<void> {
    const { server } = ensureServerTools();
    const name = this.serviceName(service);
    const log = logPath(this.dir, name);
    const from = logSize(log);
    const record = spawnDetached(server, ['start'], {
      log,
      env: {
        ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TEMPORAL_'))),
        ...serverEnvironment({
          service,
          configFile: join(projectRoot, SERVER_CONFIG_FILE),
          dynamicConfigFile: join(projectRoot, DYNAMIC_CONFIG_FILE),
          postgresHost: '127.0.0.1',
          postgresPort: this.pg.port,
          postgresPassword: this.pg.password,
          ports: this.ports,
          bindOnIp: '127.0.0.1',
        }),
      },
    });
    this.state.processes[name] = record;
    this.save();
    const port = this.ports[service];
    await waitReady(
      name,
      record,
      service === 'frontend' ? () => frontendAnswers(this.address) : () => portOpen(port),
      90_000,
      from,
    );
    this.log(`${name} pid ${record.pid}, gRPC 127.0.0.1:${port}`);
  }

  async stopService(service: ServerService, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await this.stopProcess(this.serviceName(service), signal);
  }

  /** Stops one service and starts it again; the others keep running. Resolves once it serves again. */
  async restartService(service: ServerService): Promise<void> {
    await this.stopService(service);
    await this.startService(service);
  }

  async restartPostgres(downMs = 0): Promise<void> {
    stopPostgres(this.pg);
    if (downMs) await sleep(downMs);
    startPostgres(this.pg);
    this.log(`PostgreSQL restarted (pid ${postgresPid(this.pg)})`);
  }

  /** The namespace answers through the frontend: the cluster can take work. */
  async ready(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await frontendAnswers(this.address, NAMESPACE))) {
      if (Date.now() > deadline)
        throw new Error(`the cluster at ${this.address} did not answer within ${timeoutMs / 1000} s`);
      await sleep(250);
    }
  }

  async startUi(codecEndpoint?: string): Promise<void> {
    const { server } = ensureUiTools(this.log);
    const log = logPath(this.dir, 'ui');
    const url = `http://127.0.0.1:${this.ports.ui}`;
    const record = spawnDetached(
      server,
      ['--root', projectRoot, '--config', UI_CONFIG_DIR, '--env', UI_CONFIG_ENV, 'start'],
      {
        log,
        env: {
          ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TEMPORAL_'))),
          TEMPORAL_ADDRESS: this.address,
          TEMPORAL_UI_PORT: String(this.ports.ui),
          TEMPORAL_UI_ORIGIN: url,
          ...(codecEndpoint ? { TEMPORAL_CODEC_ENDPOINT: codecEndpoint } : {}),
        },
      },
    );
    this.state.processes.ui = record;
    this.save();
    await waitReady('Temporal UI', record, () => portOpen(this.ports.ui), 60_000);
  }

  setWorkerPolicy(file: string | undefined): void {
    this.state.workerPolicy = file;
    this.save();
  }

  /** Records a process the caller started detached (workers, codec server), so --stop ends it too. */
  adopt(name: string, record: ProcessRecord): void {
    this.state.processes[name] = record;
    this.save();
  }

  async stopProcess(name: string, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const record = this.state.processes[name];
    if (!record) return;
    await stopRecorded(record, 15_000, signal);
    delete this.state.processes[name];
    this.save();
  }

  /** Pids of the server's services and PostgreSQL's postmaster (for memory figures). */
  serverPids(): Record<string, number> {
    const pids: Record<string, number> = {};
    for (const service of SERVER_SERVICES) {
      const record = this.state.processes[this.serviceName(service)];
      if (record && isAlive(record)) pids[service] = record.pid;
    }
    const pg = postgresPid(this.pg);
    if (pg) pids.postgres = pg;
    return pids;
  }

  /** Everything it recorded, in reverse order of start, then PostgreSQL. */
  async stop(): Promise<void> {
    const names = Object.keys(this.state.processes).reverse();
    const first = names.filter((n) => !n.startsWith('temporal-'));
    for (const name of first) await this.stopProcess(name);
    // The frontend first (no new work), then worker, matching, history.
    for (const service of [...SERVER_SERVICES].reverse()) await this.stopService(service);
    stopPostgres(this.pg);
  }
}
