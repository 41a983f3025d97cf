// 5. Start-up: the real worker from spawn to its ready line, with the bundle `npm run build`
// prepares and (unless --quick) without it, bundling at start as before, alternated; then the
// CLI's `status` from spawn to exit against a run waiting for approval (through the codec server).
import { findCliBundle } from '../../src/cli/bundle.js';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../../src/project-root.js';
import type { Stack } from './stack.js';
import { benchSpecs, deploymentIds, startRun, untilAwaitingApproval } from './runs.js';
import { median, round } from './stats.js';

export interface StartupFigures {
  workerReadyMs: number;
  /** Measured unless skipped (--quick): the same worker bundling its workflows at start, as before. */
  workerReadyNoBundleMs?: number;
  /** Time saved per worker start by the prepared bundle, as a ratio. */
  workerReadySpeedup?: number;
  cliStatusMs: number;
  /** `node -e 0`: the floor any Node CLI pays. */
  nodeStartMs: number;
}

function timeProcess(args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { env, cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve(performance.now() - started);
      else reject(new Error(`node ${args.join(' ')} exited ${code}: ${stderr.trim()}`));
    });
  });
}

/** Leaves the stack's worker running (the last one started, with the bundle). */
export async function measureStartup(
  stack: Stack,
  samples: number,
  compareWithoutBundle: boolean,
  log: (line: string) => void,
): Promise<StartupFigures> {
  const withBundle: number[] = [];
  const withoutBundle: number[] = [];
  const missingBundle = join(stack.temporal.workDir, 'no-such-bundle.js');
  for (let i = 0; i < samples; i++) {
    if (compareWithoutBundle)
      withoutBundle.push((await stack.startWorker({ workflowBundlePath: missingBundle })).readyMs);
    withBundle.push((await stack.startWorker()).readyMs);
    log(
      `  worker ready: ${Math.round(withBundle.at(-1)!)} ms with the bundle${compareWithoutBundle ? `, ${Math.round(withoutBundle.at(-1)!)} ms bundling at start` : ''}`,
    );
  }

  const [spec] = await benchSpecs(stack.sandbox, deploymentIds('cli', 1), undefined, stack.certificates);
  const handle = await startRun(stack.temporal.client, spec!);
  await untilAwaitingApproval(handle, 100);
  const cli = join(projectRoot, 'dist', 'src', 'cli', 'main.js');
  const cliMs: number[] = [];
  const nodeMs: number[] = [];
  // A spawned CLI is noisy on a small machine: it gets more samples than the worker.
  const cliSamples = Math.max(2 * samples - 1, 2);
  for (let i = 0; i < cliSamples; i++) {
    nodeMs.push(await timeProcess(['-e', '0'], stack.temporal.cliEnv, stack.temporal.workDir));
    // As staff run it: no key ring, payloads decoded by the codec server.
    cliMs.push(await timeProcess([cli, 'status', spec!.deploymentId], stack.temporal.cliEnv, stack.temporal.workDir));
  }
  const cliBundle = findCliBundle();
  // Without a fresh prepared bundle the CLI loads as modules: a different, slower figure.
  if (!('mainPath' in cliBundle))
    log(`  ! the CLI ran without its prepared bundle (${cliBundle.reason}): run \`npm run build\``);
  log(`  CLI status: ${cliMs.map((ms) => Math.round(ms)).join(', ')} ms (node alone ${Math.round(median(nodeMs))} ms)`);
  // Ended here so later scenarios that count waiting runs do not see it.
  await handle.terminate('benchmark: start-up figures taken');

  const workerReadyMs = median(withBundle);
  const figures: StartupFigures = {
    workerReadyMs: round(workerReadyMs),
    cliStatusMs: round(median(cliMs)),
    nodeStartMs: round(median(nodeMs)),
  };
  if (withoutBundle.length) {
    figures.workerReadyNoBundleMs = round(median(withoutBundle));
    figures.workerReadySpeedup = round(median(withoutBundle) / workerReadyMs, 2);
  }
  return figures;
}
