// A spec that cannot even be read: each syntax slip is one problem, at the offending key's line,
// with what to do — not a cascade of unlocated parser messages, and never a crash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stringify } from 'yaml';
import { parseSpec } from '../../src/spec/load.js';
import { exampleData, exampleText, lineContaining, problemsOf } from '../helpers/spec-problems.js';

test('a tab used for indentation is one problem at its line, naming the field and saying to use spaces', async () => {
  const text = (await exampleText()).replace('\n  apiBaseUrl:', '\n\tapiBaseUrl:');
  const problems = problemsOf(text);
  assert.equal(problems.length, 1, JSON.stringify(problems));
  assert.equal(problems[0]!.path, 'mosip.apiBaseUrl');
  assert.equal(problems[0]!.line, lineContaining(text, '\tapiBaseUrl'));
  assert.match(problems[0]!.message, /tab.*spaces/);
});

test('an unclosed quote is reported at the key it opens on', async () => {
  const text = (await exampleText()).replace('database: openg2p', 'database: "openg2p');
  const [problem, ...rest] = problemsOf(text);
  assert.deepEqual(rest, []);
  assert.equal(problem!.path, 'openg2p.database');
  assert.equal(problem!.line, lineContaining(text, 'database:'));
  assert.match(problem!.message, /quote .*never closed/);
});

test('a key written twice is reported at the second one, each duplicate on its own', async () => {
  const text = (await exampleText())
    .replace('  login: admin\n', '  login: admin\n  login: root\n')
    .replace('  version: 1.4.1\n', '  version: 1.4.1\n  version: 1.7.0\n');
  const problems = problemsOf(text);
  assert.deepEqual(
    problems.map((p) => [p.path, p.line]),
    [
      ['esignet.version', lineContaining(text, 'version: 1.7.0')],
      ['openg2p.login', lineContaining(text, 'login: root')],
    ],
  );
  assert.match(problems[1]!.message, /login appears twice/);
});

test('a missing comma in a JSON spec is located, and the message says to look for the comma', async () => {
  const json = JSON.stringify(await exampleData(), null, 2);
  const text = json.replace('"database": "openg2p",', '"database": "openg2p"');
  const problems = problemsOf(text);
  assert.equal(problems.length, 1, JSON.stringify(problems));
  assert.equal(problems[0]!.line, lineContaining(text, '"login"'), 'the line after the missing comma');
  assert.match(problems[0]!.message, /comma is missing at the end of the line before/);
  assert.match(problems[0]!.path, /^openg2p\./);
});

test('several YAML documents in one file are refused at the second, with what to do', async () => {
  const text = `${await exampleText()}\n---\ndeploymentId: another\n`;
  const problems = problemsOf(text);
  assert.equal(problems.length, 1);
  assert.equal(problems[0]!.line, lineContaining(text, '---'), 'the --- that starts the second');
  assert.match(problems[0]!.message, /2 YAML documents.*one document: put each deployment in its own file/);
  assert.doesNotMatch(problems[0]!.message, /parseAllDocuments/, 'no library advice');
});

test('an empty file, a file of comments and a file holding a list say what a spec is', () => {
  for (const text of ['', '\n\n', '# nothing yet\n', '---\n']) {
    const [problem] = problemsOf(text);
    assert.match(problem!.message, /the file is empty.*examples\/sandbox\.yaml/);
  }
  assert.match(problemsOf('- mosip\n- esignet\n')[0]!.message, /a spec is a block of fields.*this file holds a list/);
  assert.match(problemsOf('just text\n')[0]!.message, /this file holds a single value/);
});

test('a document built to exhaust memory through aliases is refused as input, at its first alias', () => {
  const laughs = ['a: &a [x, x, x, x, x, x, x, x, x]'];
  for (const [name, prev] of [
    ['b', 'a'],
    ['c', 'b'],
    ['d', 'c'],
    ['e', 'd'],
  ])
    laughs.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(', ')}]`);
  const problems = problemsOf(`${laughs.join('\n')}\n`);
  assert.equal(problems.length, 1);
  assert.equal(problems[0]!.line, 2);
  assert.match(problems[0]!.message, /aliases .*more than 100 copies/);
});

test('brackets nested past any spec are refused, not a stack overflow', () => {
  const problems = problemsOf(`${'['.repeat(20_000)}${']'.repeat(20_000)}`);
  assert.equal(problems.length, 1, 'one problem, not one per level');
  assert.match(problems[0]!.message, /nested too deeply/);
});

test('valid files keep passing: byte-order mark, CRLF, JSON, comments, quoted numbers, non-ASCII text, anchors', async () => {
  const text = await exampleText();
  const reference = parseSpec(text, 'sandbox.yaml');
  assert.deepEqual(parseSpec(`\uFEFF${text}`, 'bom.yaml'), reference, 'a UTF-8 byte-order mark');
  assert.deepEqual(parseSpec(text.replace(/\n/g, '\r\n'), 'crlf.yaml'), reference, 'Windows line ends');
  assert.deepEqual(parseSpec(JSON.stringify(await exampleData(), null, 2), 'spec.json'), reference, 'JSON');
  assert.deepEqual(
    parseSpec(`# a comment\n${text.replace('version: 1.2.0.1', 'version: "1.2.0.1"   # quoted')}`, 'c.yaml'),
    reference,
    'comments, a quoted version',
  );

  const data = await exampleData();
  data.approval.required = '1';
  data.partners.auth.organisation = 'Ministère de la Santé — Ñuñoa 🇨🇱';
  data.partners.auth.address = '東京都千代田区';
  const spec = parseSpec(stringify(data), 'intl.yaml');
  assert.equal(spec.approval.required, 1, 'a quoted number of approvals');
  assert.equal(spec.partners.auth.organisation, 'Ministère de la Santé — Ñuñoa 🇨🇱');

  const anchored = text
    .replace('    organisation: OpenG2P Sandbox\n', '    organisation: &org OpenG2P Sandbox\n')
    .replace(/(misp:[\s\S]*?)organisation: OpenG2P Sandbox/, '$1organisation: *org');
  assert.deepEqual(parseSpec(anchored, 'anchors.yaml'), reference, 'a few aliases');
});
