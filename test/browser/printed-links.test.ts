// The links `npm run demo -- --keep` prints are the ones a new user clicks: this suite runs the
// demo itself, reads its output, and follows exactly what it printed in Debian's chromium: the
// codec server's sign-in page, then the run's Temporal UI link. A host-name mismatch between the
// two (a session cookie set for 127.0.0.1, a UI opened on localhost) shows here as ciphertext. A
// run blocked afterwards shows its failed step decoded: the message, not "Encoded failure".
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { projectRoot } from '../../src/project-root.js';
import { chromiumMissing, freshBrowser } from '../helpers/chromium.js';
import { requirement } from '../helpers/requirements.js';

const SHOT_DIR = join(projectRoot, '.data', 'test-screenshots');
/** The fixed ports the demo serves on (README, quick start). */
const DEMO_PORTS = [7233, 8233, 8234, 8235, 18080, 18081, 18082];

function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

const busy = (await Promise.all(DEMO_PORTS.map(async (p) => ((await portInUse(p)) ? p : undefined)))).filter(
  (p) => p !== undefined,
);
const missing =
  chromiumMissing() ??
  (busy.length
    ? `the demo's ports ${busy.join(', ')} are in use (stop \`npm run temporal\` / a kept demo)`
    : undefined);

describe('the links the demo prints, followed as printed', { skip: requirement(missing) }, () => {
  let demo: ChildProcess;
  let printed = '';

  before(async () => {
    demo = spawn(process.execPath, ['dist/scripts/demo.js', '--keep'], {
      cwd: projectRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    demo.stdout!.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    demo.stderr!.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the demo did not finish in 3 minutes:\n${printed}`)), 180_000);
      const poll = setInterval(() => {
        if (/Stop them with Ctrl-C/.test(printed)) {
          clearInterval(poll);
          clearTimeout(timer);
          resolve();
        }
      }, 200);
      demo.once('exit', (code) => {
        clearInterval(poll);
        clearTimeout(timer);
        reject(new Error(`the demo exited (${code}) before it kept running:\n${printed}`));
      });
    });
    demo.removeAllListeners('exit');
    await mkdir(SHOT_DIR, { recursive: true });
  });

  after(async () => {
    if (demo && demo.exitCode === null) {
      const exited = new Promise((r) => demo.once('exit', r));
      demo.kill('SIGINT');
      await exited;
    }
  });

  /** What the demo printed: the run's UI link, the codec server's link and the token file it names. */
  function links(): { runLink: string; codecLink: string; tokenFile: string } {
    const runLink = printed.match(/https?:\/\/\S+\/namespaces\/default\/workflows\/onboard-\S+\/history/)?.[0];
    const codec = printed.match(/Codec server (https?:\/\/\S+?):? sign in there with the token in (\S+)/);
    assert.ok(runLink, `no run link in:\n${printed}`);
    assert.ok(codec, `no codec server sign-in in:\n${printed}`);
    return { runLink, codecLink: codec[1]!, tokenFile: codec[2]! };
  }

  async function browser(): Promise<BrowserContext> {
    return freshBrowser();
  }

  async function signIn(context: BrowserContext): Promise<void> {
    const { codecLink, tokenFile } = links();
    const token = (await readFile(join(projectRoot, tokenFile), 'utf8')).trim().split(/\s+/).pop()!;
    const page = await context.newPage();
    await page.goto(codecLink);
    // The page says which host name its session is bound to: the one the UI link uses.
    await page.getByText(new URL(codecLink).hostname).first().waitFor();
    await page.getByLabel('Codec server token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('This browser is signed in').waitFor();
    // What the page asks next, in the UI it links: the browser's Codec Server setting, with
    // credentials (a dev server's UI cannot be deployed with them on).
    const endpoint = codecLink.replace(/\/$/, '');
    await page.getByText(`enter ${endpoint}, turn on Include cross-origin credentials`).waitFor();
    await page.goto(new URL('/namespaces/default/workflows', links().runLink).href);
    await page.getByRole('button', { name: 'Codec Server is configured' }).click();
    const dialog = page.getByRole('dialog').filter({ hasText: 'Codec Server' });
    await dialog.getByText('Use my browser setting and ignore Cluster-level setting.').click();
    await dialog.getByLabel('Codec Server browser endpoint').fill(endpoint);
    await dialog.getByText('Include cross-origin credentials').click();
    await dialog.getByRole('button', { name: 'Apply' }).click();
    await page.close();
  }

  test('signed in on the printed codec link, the printed run link shows the run decoded', async () => {
    const { runLink, codecLink } = links();
    assert.equal(new URL(runLink).hostname, new URL(codecLink).hostname, 'one host name for the UI and the codec');
    const context = await browser();
    try {
      await signIn(context);
      const page = await context.newPage();
      await page.goto(runLink);
      // The spec's MOSIP URL is in the run's input: readable only once decoded.
      await page.getByText('"http://127.0.0.1:18080"').first().waitFor({ timeout: 30_000 });
      assert.equal(await page.getByText('Codec Server could not connect').filter({ visible: true }).count(), 0);
      await page.screenshot({ path: join(SHOT_DIR, 'demo-printed-run-link.png'), fullPage: true });
    } finally {
      await context.close();
    }
  });

  test("a blocked run's failed step reads as its message in the UI, not as an encoded failure", async () => {
    // A second run of the demo's deployment, started as the README starts one, with a policy
    // MOSIP does not have: it blocks at verifyPrerequisites.
    const spec = parseYaml(await readFile(join(projectRoot, 'examples', 'sandbox.yaml'), 'utf8')) as {
      partners: { auth: { policy: string } };
    };
    spec.partners.auth.policy = 'no-such-policy';
    const specFile = join(await mkdtemp(join(tmpdir(), 'g2p-spec-')), 'blocked.yaml');
    await writeFile(specFile, stringifyYaml(spec));
    const started = spawnSync(
      process.execPath,
      [
        'dist/src/cli/main.js',
        'start',
        specFile,
        '--as',
        'sandbox-staff',
        '--key',
        '.data/sandbox/identities/sandbox-staff.pem',
        '--wait',
      ],
      { cwd: projectRoot, encoding: 'utf8', timeout: 120_000 },
    );
    assert.match(started.stdout + started.stderr, /BLOCKED at verifyPrerequisites/, started.stdout + started.stderr);
    const link = started.stdout.match(/^started onboard-\S+ — (https?:\/\/\S+)$/m)?.[1];
    assert.ok(link, `start printed no UI link:\n${started.stdout}${started.stderr}`);

    const context = await browser();
    try {
      await signIn(context);
      const page = await context.newPage();
      await page.goto(link);
      // The row's summary is the failure's plain message (the UI does not decode it there); the
      // row opened shows the failure decoded through the codec server.
      await page.getByText('Event History').first().click();
      await page.getByText('Activity Task Failed').first().click();
      await page
        .getByText(/prerequisite check\(s\) failed: mosip\.policy/)
        .first()
        .waitFor({ timeout: 30_000 });
      await page.screenshot({ path: join(SHOT_DIR, 'demo-blocked-step.png'), fullPage: true });
    } finally {
      await context.close();
      // Ops end it as the README says, so the next demo on this data folder starts afresh.
      spawnSync(
        process.execPath,
        [
          'dist/src/cli/main.js',
          'abort',
          'openg2p-sandbox',
          '--as',
          'sandbox-ops',
          '--key',
          '.data/sandbox/identities/sandbox-ops.pem',
          '--comment',
          'browser test over',
        ],
        { cwd: projectRoot, encoding: 'utf8', timeout: 60_000 },
      );
    }
  });
});
