// `g2p-onboard validate` on every kind of bad file: exit 2 ("invalid input") with the file, the
// line and what to do — never exit 1 ("run failed") or a stack trace. Needs no Temporal server.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from '../../src/project-root.js';
import { exampleFile } from '../helpers/spec-problems.js';

const run = promisify(execFile);
const CLI = join(projectRoot, 'dist', 'src', 'cli', 'main.js');
let dir: string;
let example: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'g2p-validate-'));
  example = await readFile(exampleFile, 'utf8');
});

async function validate(name: string, content: string | Buffer) {
  const file = join(dir, name);
  await writeFile(file, content);
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('G2P_ONBOARD_')));
  return run(process.execPath, [CLI, 'validate', file], { env }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (err: { code: number; stdout: string; stderr: string }) => ({
      code: err.code,
      stdout: err.stdout,
      stderr: err.stderr,
    }),
  );
}

test('a resource-exhaustion document exits 2 (invalid input), not 1 (run failed)', async () => {
  const laughs = ['a: &a [x, x, x, x, x, x, x, x, x]'];
  for (const [name, prev] of [
    ['b', 'a'],
    ['c', 'b'],
    ['d', 'c'],
    ['e', 'd'],
    ['f', 'e'],
  ])
    laughs.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(', ')}]`);
  const res = await validate('laughs.yaml', `${laughs.join('\n')}\n`);
  assert.equal(res.code, 2, res.stderr);
  assert.match(
    res.stderr,
    /laughs\.yaml: 1 problem; nothing was started\n {2}\(file\) \(line 2\): the file expands YAML aliases/,
  );
});

test('a file that is not UTF-8 exits 2 naming the line of the first bad byte', async () => {
  const latin1 = Buffer.from(
    example.replace('address: 1 Registry Road, Sandbox City', 'address: 1 Calle Ñuñoa'),
    'latin1',
  );
  const res = await validate('latin1.yaml', latin1);
  assert.equal(res.code, 2, res.stderr);
  const line = example.split('\n').findIndex((l) => l.includes('address: 1 Registry Road')) + 1;
  assert.match(res.stderr, new RegExp(`\\(line ${line}\\): the file is not UTF-8 .*save it as UTF-8`));
  const utf16 = await validate(
    'utf16.yaml',
    Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(example, 'utf16le')]),
  );
  assert.equal(utf16.code, 2);
  assert.match(utf16.stderr, /saved as UTF-16: save it as UTF-8/);
});

test('syntax errors, several documents and an empty file exit 2 with a line each', async () => {
  for (const [name, content, expected] of [
    [
      'tab.yaml',
      example.replace('\n  apiBaseUrl:', '\n\tapiBaseUrl:'),
      /mosip\.apiBaseUrl \(line 8\): not valid YAML\/JSON: a tab indents this line/,
    ],
    ['two.yaml', `${example}---\ndeploymentId: b\n`, /\(file\) \(line \d+\): the file holds 2 YAML documents/],
    ['empty.yaml', '', /\(file\) \(line 1\): the file is empty/],
  ] as const) {
    const res = await validate(name, content);
    assert.equal(res.code, 2, `${name}: ${res.stderr}`);
    assert.match(res.stderr, expected);
    assert.doesNotMatch(res.stderr, /\n {4}at /, 'no stack trace');
  }
});

test('a missing file exits 2 in plain words; a valid spec exits 0', async () => {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('G2P_ONBOARD_')));
  const missing = await run(process.execPath, [CLI, 'validate', join(dir, 'nope.yaml')], { env }).catch(
    (err: { code: number; stderr: string }) => err,
  );
  assert.equal((missing as { code: number }).code, 2);
  assert.match((missing as { stderr: string }).stderr, /cannot read the file: there is no such file/);
  const ok = await validate('good.yaml', `\uFEFF${example.replace(/\n/g, '\r\n')}`);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /good\.yaml: valid/);
});
