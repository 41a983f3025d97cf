// The soak's end check of what people find through visibility (SQL visibility on the cluster):
// `g2p-onboard list --pending-approval`, `--approver` and `--deployment`, run as the CLI a person
// runs, compared with what the soak knows happened. Visibility is eventually consistent, so each
// check is retried for a few seconds before it counts as a mismatch.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from '../../src/project-root.js';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Row {
  workflowId: string;
  state: string;
}

export async function listRuns(env: NodeJS.ProcessEnv, args: string[]): Promise<Row[]> {
  const { stdout } = await run(
    process.execPath,
    [join(projectRoot, 'dist', 'src', 'cli', 'main.js'), 'list', ...args, '--output', 'json'],
    {
      env,
      cwd: projectRoot,
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  return JSON.parse(stdout) as Row[];
}

/** 'ok', or what differed: ids expected but not listed, listed but not expected, and states. */
export async function checkListing(
  env: NodeJS.ProcessEnv,
  args: string[],
  expected: Map<string, string | undefined>,
  timeoutMs = 15_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let problem: string;
    try {
      const rows = await listRuns(env, args);
      const listed = new Map(rows.map((r) => [r.workflowId, r.state]));
      const missing = [...expected.keys()].filter((id) => !listed.has(id));
      const extra = [...listed.keys()].filter((id) => !expected.has(id));
      const wrongState = [...expected].filter(([id, state]) => state && listed.has(id) && listed.get(id) !== state);
      if (!missing.length && !extra.length && !wrongState.length) return 'ok';
      problem = `${args.join(' ')}: ${missing.length} missing (${missing.slice(0, 3).join(', ')}), ${extra.length} unexpected (${extra.slice(0, 3).join(', ')}), ${wrongState.length} in another state (${wrongState
        .slice(0, 3)
        .map(([id, s]) => `${id} ${listed.get(id)} ≠ ${s}`)
        .join(', ')})`;
    } catch (err) {
      problem = `${args.join(' ')}: ${(err as Error).message.split('\n').slice(0, 3).join(' ')}`;
    }
    if (Date.now() > deadline) return problem;
    await sleep(1_000);
  }
}
