// The cluster's Go programs, built once per version into the git-ignored .tools/ folder:
// temporal-server and temporal-sql-tool from go.temporal.io/server (with that release's SQL
// schema folder beside them), and the Temporal UI server from github.com/temporalio/ui-server/v2.
// Nothing is downloaded but Go modules: the go command takes them (and, when the machine's Go
// is older than the modules ask for, the pinned toolchain) from the Go module proxy.
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../src/project-root.js';
import { GO_TOOLCHAIN, TEMPORAL_SERVER_VERSION, TEMPORAL_UI_VERSION } from './topology.js';

export interface ServerTools {
  server: string;
  sqlTool: string;
  /** Holds postgresql/v12/{temporal,visibility}/versioned, as /etc/temporal/schema does in the admin-tools image. */
  schemaDir: string;
}

const SERVER_MODULE = 'go.temporal.io/server';
const UI_MODULE = 'github.com/temporalio/ui-server/v2';

export const serverToolsDir = (version = TEMPORAL_SERVER_VERSION) =>
  join(projectRoot, '.tools', 'temporal-server', `v${version}`);
export const uiToolsDir = (version = TEMPORAL_UI_VERSION) => join(projectRoot, '.tools', 'temporal-ui', `v${version}`);

function goEnv(gobin: string): NodeJS.ProcessEnv {
  return { ...process.env, GOTOOLCHAIN: GO_TOOLCHAIN, GOBIN: gobin, GOFLAGS: '-mod=mod' };
}

function goCommand(): string {
  for (const candidate of ['go', '/usr/local/go/bin/go']) {
    if (spawnSync(candidate, ['version'], { stdio: 'ignore' }).status === 0) return candidate;
  }
  throw new Error(
    'the cluster builds the Temporal server from its Go module, and no `go` command was found: install Go 1.21 or newer (it fetches the pinned toolchain itself), then run this again',
  );
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv, what: string): string {
  const result = spawnSync(command, args, { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0)
    throw new Error(`${what} failed (${command} ${args.join(' ')}):\n${(result.stderr || result.stdout).trim()}`);
  return result.stdout;
}

/** `go install` into a scratch folder, then moved into place whole: a half-built .tools/ never counts. */
function build(
  dir: string,
  modules: { pkg: string; binary: string }[],
  version: string,
  log: (line: string) => void,
): string {
  const go = goCommand();
  const scratch = `${dir}.building`;
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(join(scratch, 'bin'), { recursive: true });
  const started = Date.now();
  log(
    `building ${modules.map((m) => `${m.pkg}@v${version}`).join(' and ')} with ${GO_TOOLCHAIN} (a few minutes, once)`,
  );
  run(go, ['install', ...modules.map((m) => `${m.pkg}@v${version}`)], goEnv(join(scratch, 'bin')), 'go install');
  for (const m of modules) renameSync(join(scratch, 'bin', m.pkg.split('/').at(-1)!), join(scratch, 'bin', m.binary));
  log(`built in ${Math.round((Date.now() - started) / 1000)} s`);
  return scratch;
}

/** Where the go command unpacked a module version (downloading it if needed). */
function moduleDir(module: string, version: string): string {
  const go = goCommand();
  const out = run(go, ['mod', 'download', '-json', `${module}@v${version}`], goEnv(''), 'go mod download');
  const dir = (JSON.parse(out) as { Dir?: string }).Dir;
  if (!dir) throw new Error(`go mod download named no folder for ${module}@v${version}`);
  return dir;
}

function copyTree(from: string, to: string): void {
  cpSync(from, to, { recursive: true });
  // The module cache is read-only; the copy must stay removable.
  spawnSync('chmod', ['-R', 'u+w', to]);
}

export function ensureServerTools(log: (line: string) => void = () => undefined): ServerTools {
  const dir = serverToolsDir();
  const tools: ServerTools = {
    server: join(dir, 'bin', 'temporal-server'),
    sqlTool: join(dir, 'bin', 'temporal-sql-tool'),
    schemaDir: join(dir, 'schema'),
  };
  if (existsSync(tools.server) && existsSync(tools.sqlTool) && existsSync(tools.schemaDir)) return tools;
  const scratch = build(
    dir,
    [
      { pkg: `${SERVER_MODULE}/cmd/server`, binary: 'temporal-server' },
      { pkg: `${SERVER_MODULE}/cmd/tools/sql`, binary: 'temporal-sql-tool' },
    ],
    TEMPORAL_SERVER_VERSION,
    log,
  );
  copyTree(join(moduleDir(SERVER_MODULE, TEMPORAL_SERVER_VERSION), 'schema'), join(scratch, 'schema'));
  rmSync(dir, { recursive: true, force: true });
  renameSync(scratch, dir);
  return tools;
}

export interface UiTools {
  server: string;
}

export function ensureUiTools(log: (line: string) => void = () => undefined): UiTools {
  const dir = uiToolsDir();
  const tools = { server: join(dir, 'bin', 'temporal-ui-server') };
  if (existsSync(tools.server)) return tools;
  const scratch = build(
    dir,
    [{ pkg: `${UI_MODULE}/cmd/server`, binary: 'temporal-ui-server' }],
    TEMPORAL_UI_VERSION,
    log,
  );
  chmodSync(join(scratch, 'bin', 'temporal-ui-server'), 0o755);
  rmSync(dir, { recursive: true, force: true });
  renameSync(scratch, dir);
  return tools;
}
