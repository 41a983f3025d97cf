// The worker refuses to start rather than run with less protection than the README promises:
// certificate checks turned off process-wide, or no worker policy (or one others could change).
// Each refusal comes before it connects to Temporal, so no server is needed here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from '../../src/project-root.js';
import { writeLoopbackPolicyFile } from '../helpers/loopback-policy.js';

const run = promisify(execFile);

async function startWorker(env: NodeJS.ProcessEnv): Promise<{ code: number; stderr: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'g2p-worker-start-'));
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !k.startsWith('G2P_') && !k.startsWith('TEMPORAL_') && k !== 'NODE_TLS_REJECT_UNAUTHORIZED',
    ),
  );
  // An address nothing listens on: if a check let the worker through, it would fail to connect instead.
  return run(process.execPath, [join(projectRoot, 'dist', 'src', 'worker.js')], {
    cwd: dir,
    env: { ...inherited, TEMPORAL_ADDRESS: '127.0.0.1:1', ...env },
  }).then(
    () => ({ code: 0, stderr: '' }),
    (err: { code: number; stderr: string }) => ({ code: err.code, stderr: err.stderr }),
  );
}

const policyIn = async (mode = 0o600) => {
  const dir = await mkdtemp(join(tmpdir(), 'g2p-worker-policy-'));
  const file = await writeLoopbackPolicyFile(join(dir, 'worker-policy.json'), join(dir, 'secrets'));
  await chmod(file, mode);
  return file;
};

test('NODE_TLS_REJECT_UNAUTHORIZED=0 stops the worker at start, naming the variable', async () => {
  const res = await startWorker({ NODE_TLS_REJECT_UNAUTHORIZED: '0', G2P_ONBOARD_POLICY: await policyIn() });
  assert.equal(res.code, 1);
  assert.match(res.stderr, /NODE_TLS_REJECT_UNAUTHORIZED="0": turns certificate checks off.*refuses to start/);
});

test('without a worker policy the worker does not start, and says which file it looked for and how to name one', async () => {
  const res = await startWorker({ G2P_ONBOARD_POLICY: join(tmpdir(), 'no-such-dir', 'worker-policy.yaml') });
  assert.equal(res.code, 1);
  assert.match(res.stderr, /no worker policy at .*worker-policy\.yaml \(ENOENT\): set G2P_ONBOARD_POLICY/);
});

test('a policy others may write is refused (a spec author with a shell account could widen their reach)', async () => {
  const res = await startWorker({ G2P_ONBOARD_POLICY: await policyIn(0o666) });
  assert.equal(res.code, 1);
  assert.match(res.stderr, /writable by group or others \(mode 666\): chmod go-w/);
});
