// The example spec and what a user reads when a spec is refused: problems with path, line and advice.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { parseSpec, SpecError, type SpecProblem } from '../../src/spec/load.js';
import { projectRoot } from '../../src/project-root.js';

export const exampleFile = join(projectRoot, 'examples', 'sandbox.yaml');
export const exampleText = async (): Promise<string> => readFile(exampleFile, 'utf8');
/** The example as data, to break one field at a time. */
export async function exampleData() {
  return parse(await exampleText());
}

/** The problems `text` is refused with (fails the test when it is accepted or fails otherwise). */
export function problemsOf(text: string): SpecProblem[] {
  try {
    parseSpec(text, 'bad.yaml');
  } catch (err) {
    assert.ok(err instanceof SpecError, `expected a SpecError, got ${String(err)}`);
    return err.problems;
  }
  assert.fail('the spec was accepted');
}

/** The one problem at `path` (fails when there is none). */
export function problemAt(problems: SpecProblem[], path: string): SpecProblem {
  const found = problems.find((p) => p.path === path);
  assert.ok(found, `no problem at ${path}; got ${JSON.stringify(problems, null, 1)}`);
  return found;
}

/** 1-based line of the first line of `text` that contains `needle`. */
export function lineContaining(text: string, needle: string): number {
  const index = text.split(/\r?\n/).findIndex((l) => l.includes(needle));
  assert.ok(index >= 0, `no line contains ${needle}`);
  return index + 1;
}
