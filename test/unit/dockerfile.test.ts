// No Docker engine runs here, so the image's build stage is replayed as Docker would run it: only
// what its COPY lines bring, then its build command. A file the build needs that the Dockerfile
// leaves out (a test helper imported by a script, say) fails here instead of at `docker build`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../../src/project-root.js';

test('the image build stage compiles from exactly what the Dockerfile copies, and yields what Compose runs', async () => {
  const dockerfile = await readFile(join(projectRoot, 'Dockerfile'), 'utf8');
  const buildStage = dockerfile.split(/^FROM /m)[1]!;
  const copied = [...buildStage.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1]!.split(/\s+/));
  const build = buildStage.match(/^RUN (npm run [\w:]+)/m)?.[1];
  assert.ok(build, 'the build stage runs an npm build script');
  assert.ok(copied.includes('src') && copied.includes('package.json'), `copied: ${copied.join(', ')}`);

  const dir = await mkdtemp(join(tmpdir(), 'g2p-image-'));
  try {
    for (const path of copied) await cp(join(projectRoot, path), join(dir, path), { recursive: true });
    // `npm ci` in the image installs what the lock file names; the clone's own install stands in for it.
    await symlink(join(projectRoot, 'node_modules'), join(dir, 'node_modules'));
    const run = spawnSync('sh', ['-c', build], { cwd: dir, encoding: 'utf8', timeout: 240_000 });
    assert.equal(run.status, 0, `${build} failed in the image:\n${run.stdout}\n${run.stderr}`);

    const compose = await readFile(join(projectRoot, 'docker-compose.yml'), 'utf8');
    const launcher = await readFile(join(projectRoot, 'bin', 'g2p-onboard-worker'), 'utf8');
    const needed = [
      ...[...compose.matchAll(/"(dist\/[\w/.-]+\.js)"/g)].map((m) => m[1]!),
      ...[...launcher.matchAll(/\.\.\/(dist\/[\w/.-]+\.js)/g)].map((m) => m[1]!),
      'dist/src/cli/main.js',
    ];
    assert.ok(needed.length >= 3, `found ${needed.join(', ')}`);
    for (const file of needed) assert.ok(existsSync(join(dir, file)), `${file} is not built in the image`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
