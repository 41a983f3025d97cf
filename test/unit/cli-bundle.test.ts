// The CLI runs from the prepared bundle only while it matches the compiled code and the installed
// packages, and then answers exactly as the modules do (test/e2e/cli.test.ts runs the commands
// against a server; this covers the offline ones, the lookup and the code cache).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import {
  CLI_BUNDLE_ENV,
  codeCachePath,
  findCliBundle,
  manifestPath,
  sha256,
  type CliBundleManifest,
} from '../../src/cli/bundle.js';
import { projectRoot } from '../../src/project-root.js';
import { requirement } from '../helpers/requirements.js';

const run = promisify(execFile);
const CLI = join(projectRoot, 'dist', 'src', 'cli', 'main.js');
const BUNDLE_MODULE = join(projectRoot, 'dist', 'src', 'cli', 'bundle.js');

async function preparedBundle(): Promise<{ dir: string; input: string; packageJson: string }> {
  const root = await mkdtemp(join(tmpdir(), 'g2p-onboard-cli-bundle-'));
  const dir = join(root, 'dist', 'cli-bundle');
  const input = join(root, 'dist', 'src', 'cli', 'app.js');
  const packageJson = join(root, 'node_modules', '@temporalio', 'client', 'package.json');
  await mkdir(join(dir, 'abc'), { recursive: true });
  await mkdir(join(root, 'dist', 'src', 'cli'), { recursive: true });
  await mkdir(join(root, 'node_modules', '@temporalio', 'client'), { recursive: true });
  await writeFile(input, 'export const main = async () => 0;\n');
  await writeFile(packageJson, JSON.stringify({ name: '@temporalio/client', version: '1.24.0' }));
  await writeFile(join(dir, 'abc', 'main.cjs'), 'exports.main = async () => 0;\n');
  const manifest: CliBundleManifest = {
    format: 1,
    main: 'abc/main.cjs',
    inputs: { [relative(dir, input)]: sha256(input) },
    packages: { [relative(dir, packageJson)]: '1.24.0' },
    builder: 'test',
  };
  await writeFile(manifestPath(dir), JSON.stringify(manifest));
  return { dir, input, packageJson };
}

async function cli(
  env: NodeJS.ProcessEnv,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('the prepared CLI bundle', () => {
  test('is used while the compiled CLI and the packages are the ones it was built from', async () => {
    const { dir } = await preparedBundle();
    assert.deepEqual(findCliBundle(dir), { mainPath: join(dir, 'abc', 'main.cjs') });
    await rm(join(dir, '..', '..'), { recursive: true, force: true });
  });

  test('is refused once a compiled module changed, naming the module', async () => {
    const { dir, input } = await preparedBundle();
    await writeFile(input, 'export const main = async () => 1;\n');
    const lookup = findCliBundle(dir);
    assert.ok('reason' in lookup && lookup.reason.includes('app.js'), JSON.stringify(lookup));
    await rm(join(dir, '..', '..'), { recursive: true, force: true });
  });

  test('is refused once a bundled package was installed in another version, or when there is none', async () => {
    const { dir, packageJson } = await preparedBundle();
    await writeFile(packageJson, JSON.stringify({ name: '@temporalio/client', version: '1.25.0' }));
    const lookup = findCliBundle(dir);
    assert.ok('reason' in lookup && lookup.reason.includes('1.24.0'), JSON.stringify(lookup));
    const missing = findCliBundle(join(dir, 'nowhere'));
    assert.ok('reason' in missing && missing.reason.includes('no prepared CLI bundle'), JSON.stringify(missing));
    await rm(join(dir, '..', '..'), { recursive: true, force: true });
  });

  test('writes its code cache after a run, and a damaged cache only costs a recompile', async () => {
    const { dir } = await preparedBundle();
    const mainPath = join(dir, 'abc', 'main.cjs');
    const runBundle = `import(${JSON.stringify(BUNDLE_MODULE)}).then((m) => m.runCliBundle(${JSON.stringify(mainPath)}).main()).then((code) => console.log('exit', code))`;
    const first = await run(process.execPath, ['-e', runBundle]);
    assert.equal(first.stdout.trim(), 'exit 0');
    assert.ok(existsSync(codeCachePath(mainPath)), 'the cache is written when the command is done');
    await writeFile(codeCachePath(mainPath), 'not a V8 code cache');
    const second = await run(process.execPath, ['-e', runBundle]);
    assert.equal(second.stdout.trim(), 'exit 0');
    await rm(join(dir, '..', '..'), { recursive: true, force: true });
  });

  const built = findCliBundle();
  test(
    'answers offline commands exactly as the modules do',
    { skip: requirement('reason' in built ? `${built.reason} (npm run build makes it)` : undefined) },
    async () => {
      const bad = join(await mkdtemp(join(tmpdir(), 'g2p-onboard-cli-bundle-')), 'bad.yaml');
      await writeFile(bad, 'deploymentId: Bad Id\nmosip: {}\n');
      for (const args of [
        [],
        ['--help'],
        ['frobnicate'],
        ['status'],
        ['status', 'x', '--output', 'yaml'],
        ['validate', bad],
        ['validate', join(projectRoot, 'examples', 'sandbox.yaml')],
        ['approve', 'x', '--as', 'alice'],
      ]) {
        const bundled = await cli({}, ...args);
        const modules = await cli({ [CLI_BUNDLE_ENV]: '0' }, ...args);
        assert.deepEqual(bundled, modules, `g2p-onboard ${args.join(' ')}`);
      }
      await rm(join(bad, '..'), { recursive: true, force: true });
    },
  );
});
