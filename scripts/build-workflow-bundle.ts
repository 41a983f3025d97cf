// `npm run build`, after tsc: bundles the compiled workflows once (webpack, ~2 s) into
// dist/workflow-bundle.js with a manifest of what it was built from, so every worker start
// loads it instead of bundling again. See src/workflow-bundle.ts for how a worker checks it.
import { existsSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { workflowsPath } from '../src/worker.js';
import {
  DEFAULT_WORKFLOW_BUNDLE_PATH,
  manifestFor,
  manifestPathFor,
  SHARED_WORKFLOW_MODULES,
} from '../src/workflow-bundle.js';
import { projectRoot } from '../src/project-root.js';
import { FAILURE_CONVERTER_PATH } from '../src/security/data-converter.js';

interface WebpackDone {
  compilation: { fileDependencies: Iterable<string> };
}

/** Our compiled modules webpack read; SDK files are covered by the manifest's SDK version. */
function isProjectModule(file: string): boolean {
  const dist = resolve(projectRoot, 'dist') + sep;
  return (
    file.startsWith(dist) &&
    /\.c?js$/.test(file) &&
    !file.includes(`${sep}node_modules${sep}`) &&
    existsSync(file) &&
    statSync(file).isFile()
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { out: { type: 'string' }, quiet: { type: 'boolean' } } });
  const codePath = resolve(values.out ?? DEFAULT_WORKFLOW_BUNDLE_PATH);
  const started = performance.now();
  const inputs = new Set<string>();
  const { code } = await bundleWorkflowCode({
    workflowsPath,
    preloadModules: [...SHARED_WORKFLOW_MODULES],
    // The workers' failure converter, so workflow failures are encrypted like activity ones.
    failureConverterPath: FAILURE_CONVERTER_PATH,
    logger: new DefaultLogger('WARN'),
    webpackConfigHook: (config) => {
      // Line mappings only, without the sources' text: stack traces still name the .ts file and
      // line, and every worker holds ~40 MB less (the SDK keeps the whole map in memory).
      config.devtool = 'inline-nosources-source-map';
      config.plugins = [
        ...(config.plugins ?? []),
        {
          apply(compiler: { hooks: { done: { tap(name: string, fn: (stats: WebpackDone) => void): void } } }) {
            compiler.hooks.done.tap('g2p-onboard-bundle-inputs', (stats) => {
              for (const file of stats.compilation.fileDependencies) if (isProjectModule(file)) inputs.add(file);
            });
          },
        },
      ];
      return config;
    },
  });
  if (inputs.size === 0)
    throw new Error('webpack reported no input files; cannot write a manifest that detects stale bundles');
  // No manifest while the code is replaced, then the manifest last: a worker starting meanwhile
  // finds no bundle (and bundles itself) or the complete new pair, never a mismatched one.
  const manifestPath = manifestPathFor(codePath);
  rmSync(manifestPath, { force: true });
  writeFileSync(`${codePath}.tmp`, code);
  renameSync(`${codePath}.tmp`, codePath);
  writeFileSync(`${manifestPath}.tmp`, `${JSON.stringify(manifestFor(codePath, inputs), null, 2)}\n`);
  renameSync(`${manifestPath}.tmp`, manifestPath);
  if (!values.quiet) {
    const size = (code.length / 1024 / 1024).toFixed(2);
    console.log(
      `workflow bundle: ${codePath} (${size} MB from ${inputs.size} modules, ${Math.round(performance.now() - started)} ms)`,
    );
  }
}

main().catch((err) => {
  console.error(`build-workflow-bundle: ${(err as Error).message}`);
  process.exit(1);
});
