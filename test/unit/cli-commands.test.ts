// The CLI's commands come from one table: every verb takes --output, names a run the same way,
// and its help (generated from the table) shows every option with what it does. A wrong setting
// in the environment is refused with exit code 2 before anything is contacted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { COMMANDS } from '../../src/cli/commands.js';
import { commandHelp, optionsOf } from '../../src/cli/command-table.js';
import { CLI_VARIABLES } from '../../src/config/cli.js';

const run = promisify(execFile);
// dist/test/unit → the project root.
const CLI = join(resolve(import.meta.dirname, '..', '..', '..'), 'dist', 'src', 'cli', 'main.js');

async function cli(
  env: NodeJS.ProcessEnv,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  // Nothing listens there: a command that got as far as connecting would fail with exit 1, not 2.
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('G2P_ONBOARD_') && !k.startsWith('TEMPORAL_')),
  );
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], {
      env: { ...base, TEMPORAL_ADDRESS: '127.0.0.1:1', ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

test('every command takes --output, and every command about a run names it the same way', () => {
  for (const command of COMMANDS) {
    const output = optionsOf(command).output;
    assert.ok(
      output?.choices?.includes('text') && output.choices.includes('json'),
      `${command.name} --output text|json`,
    );
    const run = command.positionals.find((p) => p.name.includes('Id'));
    if (run) assert.equal(run.name, 'deploymentId|workflowId', command.name);
  }
});

test("each command's help shows its usage, arguments and every option with its description", () => {
  for (const command of COMMANDS) {
    const help = commandHelp('g2p-onboard', command);
    assert.match(help, new RegExp(`^usage: g2p-onboard ${command.name} `, 'm'));
    for (const [name, option] of Object.entries(optionsOf(command))) {
      assert.ok(help.includes(`--${name}`) && help.includes(option.description), `${command.name} --help: --${name}`);
    }
  }
});

test('the global help lists every command and every variable the CLI reads', async () => {
  const res = await cli({}, '--help');
  assert.equal(res.code, 0);
  const lines = res.stdout.split('\n').map((l) => l.trim());
  for (const command of COMMANDS)
    assert.ok(
      lines.some((l) => l.startsWith(command.name) && l.endsWith(command.summary)),
      command.name,
    );
  for (const name of Object.keys(CLI_VARIABLES))
    assert.ok(
      lines.some((l) => l.startsWith(`${name} `)),
      name,
    );
});

test('a wrong setting in the environment exits 2 naming the variable, before anything is contacted', async () => {
  const res = await cli({ TEMPORAL_CODEC_ENDPOINT: 'http://codec.example.org' }, 'status', 'dep-1');
  assert.equal(res.code, 2, res.stderr);
  assert.match(
    res.stderr,
    /TEMPORAL_CODEC_ENDPOINT="http:\/\/codec\.example\.org": a codec server on another machine must be reached over https/,
  );
});

test('an --output a command does not offer is a usage error (exit 2) with the usage line', async () => {
  const res = await cli({}, 'status', 'dep-1', '--output', 'md');
  assert.equal(res.code, 2);
  assert.match(
    res.stderr,
    /--output must be text or json\nusage: g2p-onboard status <deploymentId\|workflowId> \[--output text\|json\]/,
  );
});

test('a mistyped verb gets a "did you mean" and exit code 2', async () => {
  const res = await cli({}, 'stauts', 'dep-1');
  assert.equal(res.code, 2);
  assert.match(res.stderr, /unknown command "stauts": did you mean g2p-onboard status\?/);
});
