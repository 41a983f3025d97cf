// A newcomer reads the code top-down: no module may reach itself through its imports, and the
// product (src/) stands alone, without the sandbox, the scripts or the tests beside it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { projectRoot } from '../../src/project-root.js';
import { importCircles, importGraph, type ImportGraph } from '../helpers/import-graph.js';

const PROGRAMS = ['src', 'sandbox', 'scripts', 'test'];
const graph = importGraph(projectRoot, PROGRAMS);

/** `<file> → <target>` for every import of a file under `from` that lands under one of `into`. */
function crossings(g: ImportGraph, from: string, into: string[]): string[] {
  return [...g].flatMap(([file, targets]) =>
    file.startsWith(`${from}/`)
      ? targets.filter((t) => into.some((dir) => t.startsWith(`${dir}/`))).map((t) => `${file} → ${t}`)
      : [],
  );
}

test('the import graph is read from every program of the repository', () => {
  for (const entry of ['src/worker.ts', 'src/cli/main.ts', 'sandbox/main.ts', 'scripts/demo.ts']) {
    assert.ok(graph.has(entry), `${entry} is in the graph`);
  }
  assert.ok(
    graph.get('sandbox/index.ts')!.includes('sandbox/mosip/index.ts'),
    'relative imports are resolved to the .ts they compile from',
  );
});

test('no module imports itself through a circle of imports, type-only imports included', () => {
  const circles = importCircles(graph);
  assert.deepEqual(
    circles,
    [],
    `import circles (break each with a leaf module both sides import):\n${circles.map((c) => `  ${c.join(' ⇄ ')}`).join('\n')}`,
  );
});

test('a circle of imports is found, however long, when there is one', () => {
  const circular: ImportGraph = new Map([
    ['a.ts', ['b.ts']],
    ['b.ts', ['c.ts', 'leaf.ts']],
    ['c.ts', ['a.ts']],
    ['leaf.ts', []],
    ['self.ts', ['self.ts']],
  ]);
  assert.deepEqual(importCircles(circular), [['a.ts', 'b.ts', 'c.ts'], ['self.ts']]);
});

test('what ships (src/) imports nothing from the sandbox, the scripts or the tests', () => {
  assert.deepEqual(crossings(graph, 'src', ['sandbox', 'scripts', 'test']), []);
});

test('the sandbox runs on its own: it imports nothing from the scripts or the tests', () => {
  assert.deepEqual(crossings(graph, 'sandbox', ['scripts', 'test']), []);
});
