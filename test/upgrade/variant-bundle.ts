// Bundles a test-only workflow module the way `npm run build` bundles the real one (same shared
// modules, same failure converter) into a temporary file a worker accepts as its prepared bundle.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { manifestFor, manifestPathFor, SHARED_WORKFLOW_MODULES } from '../../src/workflow-bundle.js';
import { FAILURE_CONVERTER_PATH } from '../../src/security/data-converter.js';

/** `module`: a compiled module beside this one, e.g. `onboarding-patched.js`. */
export async function bundleVariant(module: string): Promise<{ codePath: string; code: string }> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: fileURLToPath(new URL(module, import.meta.url)),
    preloadModules: [...SHARED_WORKFLOW_MODULES],
    failureConverterPath: FAILURE_CONVERTER_PATH,
    logger: new DefaultLogger('WARN'),
  });
  const codePath = join(await mkdtemp(join(tmpdir(), 'g2p-onboard-variant-')), 'workflow-bundle.js');
  await writeFile(codePath, code);
  // No inputs listed: nothing to go stale in a bundle made for one test.
  await writeFile(manifestPathFor(codePath), JSON.stringify(manifestFor(codePath, [])));
  return { codePath, code };
}
