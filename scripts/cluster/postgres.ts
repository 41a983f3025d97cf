// A private PostgreSQL for the cluster: Debian's binaries (installed with apt-get when missing),
// its own data folder and port, loopback TCP only, a generated password for Temporal's role.
// PostgreSQL refuses to run as root, so when this script is root the server runs as an
// unprivileged system user (Debian's `postgres` when the package created it) that owns the
// data folder; the folders above it become traversable (0711), never listable, for that user.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { projectRoot } from '../../src/project-root.js';
import { POSTGRES_USER } from './topology.js';

/** The system user PostgreSQL runs as when this script is root and Debian's `postgres` is absent. */
const FALLBACK_OS_USER = 'g2p-onboard-pg';

export interface Postgres {
  dataDir: string;
  port: number;
  password: string;
  binDir: string;
  /** The OS user the server runs as (undefined: this process's own). */
  osUser?: string;
}

function sh(command: string, args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string } = {}) {
  return spawnSync(command, args, { encoding: 'utf8', env: opts.env ?? process.env, input: opts.input });
}

function check(result: SpawnSyncReturns<string>, what: string): string {
  if (result.error) throw new Error(`${what}: ${result.error.message}`);
  if (result.status !== 0)
    throw new Error(`${what} failed (exit ${result.status}):\n${(result.stderr || result.stdout).trim()}`);
  return result.stdout;
}

/** The newest Debian PostgreSQL on the machine, or none. */
function findBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => /^\d+$/.test(v) && existsSync(join(root, v, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? join(root, versions[0]!, 'bin') : undefined;
}

/** apt-get install postgresql, without the system-wide cluster Debian would otherwise create and start. */
function installPostgres(log: (line: string) => void): string {
  if (process.getuid?.() !== 0)
    throw new Error('PostgreSQL is not installed: run `sudo apt-get install postgresql`, then this again');
  log("PostgreSQL not found: installing Debian's postgresql package with apt-get");
  mkdirSync('/etc/postgresql-common', { recursive: true });
  const conf = '/etc/postgresql-common/createcluster.conf';
  if (!existsSync(conf)) writeFileSync(conf, 'create_main_cluster = false\n');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  check(sh('apt-get', ['update', '-qq'], { env }), 'apt-get update');
  check(
    sh('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'postgresql'], { env }),
    'apt-get install postgresql',
  );
  const binDir = findBinDir();
  if (!binDir)
    throw new Error('apt-get installed postgresql, but no /usr/lib/postgresql/<version>/bin/postgres exists');
  return binDir;
}

function osUserFor(): string | undefined {
  if (process.getuid?.() !== 0) return undefined;
  if (sh('id', ['-u', 'postgres']).status === 0) return 'postgres';
  if (sh('id', ['-u', FALLBACK_OS_USER]).status !== 0)
    check(
      sh('useradd', [
        '--system',
        '--no-create-home',
        '--home-dir',
        '/nonexistent',
        '--shell',
        '/usr/sbin/nologin',
        FALLBACK_OS_USER,
      ]),
      `useradd ${FALLBACK_OS_USER}`,
    );
  return FALLBACK_OS_USER;
}

/** Runs a PostgreSQL program as the server's OS user. */
function asServerUser(pg: Pick<Postgres, 'osUser' | 'binDir'>, program: string, args: string[]) {
  const path = join(pg.binDir, program);
  return pg.osUser ? sh('runuser', ['-u', pg.osUser, '--', path, ...args]) : sh(path, args);
}

/**
 * The server's user must reach its data folder: every folder above it that others cannot
 * traverse gets o+x (traverse only: nothing becomes listable or readable), and says so.
 */
function makeTraversable(dir: string, log: (line: string) => void): void {
  for (let current = dirname(dir); current !== dirname(current); current = dirname(current)) {
    const mode = statSync(current).mode & 0o7777;
    if (mode & 0o001) continue;
    chmodSync(current, mode | 0o001);
    log(`${current}: o+x, so PostgreSQL's user can reach its data folder`);
  }
}

function owned(dir: string, osUser: string | undefined): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  if (osUser) chownSync(dir, ...uidGid(osUser));
}

/** Creates the instance once (initdb, unless `create` is false); later calls reuse it and its password. */
export function preparePostgres(baseDir: string, port: number, log: (line: string) => void, create = true): Postgres {
  const binDir = findBinDir() ?? installPostgres(log);
  const osUser = osUserFor();
  const dataDir = join(baseDir, 'pg');
  const passwordFile = join(baseDir, 'pg-password');
  mkdirSync(baseDir, { recursive: true, mode: 0o700 });
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    if (!create) return { dataDir, port, password: '', binDir, osUser };
    rmSync(dataDir, { recursive: true, force: true });
    const password = randomBytes(24).toString('base64url');
    writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
    if (osUser) makeTraversable(dataDir, log);
    owned(dataDir, osUser);
    // initdb reads the password from a file the server's user can read (in a folder of its own, removed after).
    const pwDir = join(baseDir, 'pg-init');
    owned(pwDir, osUser);
    const pwFile = join(pwDir, 'password');
    writeFileSync(pwFile, `${password}\n`, { mode: 0o600 });
    if (osUser) chownSync(pwFile, ...uidGid(osUser));
    log(`initdb ${relative(projectRoot, dataDir)} (PostgreSQL ${binDir.split(sep).at(-2)}, role ${POSTGRES_USER})`);
    const init = asServerUser({ osUser, binDir }, 'initdb', [
      '-D',
      dataDir,
      '-U',
      POSTGRES_USER,
      `--pwfile=${pwFile}`,
      '--auth-host=scram-sha-256',
      '--auth-local=scram-sha-256',
      '-E',
      'UTF8',
      '--no-instructions',
    ]);
    rmSync(pwDir, { recursive: true, force: true });
    check(init, 'initdb');
  }
  const password = readFileSync(passwordFile, 'utf8').trim();
  if (osUser) makeTraversable(dataDir, log);
  return { dataDir, port, password, binDir, osUser };
}

function uidGid(osUser: string): [number, number] {
  return [
    Number(check(sh('id', ['-u', osUser]), 'id -u').trim()),
    Number(check(sh('id', ['-g', osUser]), 'id -g').trim()),
  ];
}

/**
 * Loopback TCP only, no Unix socket (its default folder belongs to the system service). Four
 * Temporal services open up to 30 connections each: 200 leaves room for the schema tool and psql.
 */
export function startPostgres(pg: Postgres): void {
  const options = [
    `-p ${pg.port}`,
    `-c listen_addresses=127.0.0.1`,
    `-c unix_socket_directories=''`,
    '-c max_connections=200',
  ].join(' ');
  check(
    asServerUser(pg, 'pg_ctl', [
      '-D',
      pg.dataDir,
      '-l',
      join(pg.dataDir, 'server.log'),
      '-o',
      options,
      '-w',
      '-t',
      '60',
      'start',
    ]),
    'pg_ctl start',
  );
}

export function stopPostgres(pg: Postgres, mode: 'fast' | 'immediate' = 'fast'): void {
  if (!existsSync(join(pg.dataDir, 'postmaster.pid'))) return;
  check(asServerUser(pg, 'pg_ctl', ['-D', pg.dataDir, '-m', mode, '-w', '-t', '60', 'stop']), 'pg_ctl stop');
}

/** The postmaster's pid while it runs (first line of postmaster.pid). */
export function postgresPid(pg: Postgres): number | undefined {
  try {
    return Number(readFileSync(join(pg.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return undefined;
  }
}

/** One SQL query through psql over loopback TCP; the single value it returns. */
export function psqlValue(pg: Postgres, database: string, sql: string): string {
  const result = sh(
    join(pg.binDir, 'psql'),
    ['-h', '127.0.0.1', '-p', String(pg.port), '-U', POSTGRES_USER, '-d', database, '-At', '-c', sql],
    {
      env: { ...process.env, PGPASSWORD: pg.password },
    },
  );
  return check(result, `psql ${sql}`).trim();
}
