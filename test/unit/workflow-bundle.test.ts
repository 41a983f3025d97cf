// The prepared workflow bundle is used only while it matches the compiled workflow code: a
// worker must never run yesterday's workflows because someone ran `tsc` without the bundle step.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findWorkflowBundle, manifestFor, manifestPathFor } from '../../src/workflow-bundle.js';

async function preparedBundle(): Promise<{ dir: string; codePath: string; input: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'g2p-onboard-bundle-'));
  const input = join(dir, 'src', 'workflows', 'onboarding.js');
  await mkdir(join(dir, 'src', 'workflows'), { recursive: true });
  await writeFile(input, 'export async function onboardDeployment() { return 1; }\n');
  const codePath = join(dir, 'workflow-bundle.js');
  await writeFile(codePath, '/* bundle */');
  await writeFile(manifestPathFor(codePath), JSON.stringify(manifestFor(codePath, [input])));
  return { dir, codePath, input };
}

describe('the prepared workflow bundle', () => {
  test('is used while the compiled workflows are the ones it was built from', async () => {
    const { dir, codePath } = await preparedBundle();
    assert.deepEqual(findWorkflowBundle(codePath), { codePath });
    await rm(dir, { recursive: true, force: true });
  });

  test('is refused once a workflow module changed since it was built, naming the module', async () => {
    const { dir, codePath, input } = await preparedBundle();
    await writeFile(input, 'export async function onboardDeployment() { return 2; }\n');
    const lookup = findWorkflowBundle(codePath);
    assert.ok('reason' in lookup && lookup.reason.includes('onboarding.js'), JSON.stringify(lookup));
    await rm(dir, { recursive: true, force: true });
  });

  test('is refused when built without the failure converter, which would leave workflow failures in plain text', async () => {
    const { dir, codePath, input } = await preparedBundle();
    const { failureConverter: _, ...older } = manifestFor(codePath, [input]);
    await writeFile(manifestPathFor(codePath), JSON.stringify(older));
    const lookup = findWorkflowBundle(codePath);
    assert.ok('reason' in lookup && lookup.reason.includes('failure converter'), JSON.stringify(lookup));
    await rm(dir, { recursive: true, force: true });
  });

  test('is refused when built by another SDK version or when it is missing', async () => {
    const { dir, codePath, input } = await preparedBundle();
    const manifest = { ...manifestFor(codePath, [input]), sdkVersion: '0.0.1' };
    await writeFile(manifestPathFor(codePath), JSON.stringify(manifest));
    const other = findWorkflowBundle(codePath);
    assert.ok('reason' in other && other.reason.includes('0.0.1'), JSON.stringify(other));
    const missing = findWorkflowBundle(join(dir, 'nowhere.js'));
    assert.ok('reason' in missing && missing.reason.includes('no prepared bundle'), JSON.stringify(missing));
    await rm(dir, { recursive: true, force: true });
  });
});
