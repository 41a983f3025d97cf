// Reads a deployment spec file (YAML or JSON) and validates it, reporting every problem
// with its path in the file, its line, and a hint — so a bad spec is fixed in one pass.
import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import type { z } from 'zod';
import { deploymentSpecSchema, type DeploymentSpec } from './schema.js';

export interface SpecProblem {
  /** Dotted path inside the spec, e.g. `partners.auth.email`. */
  path: string;
  /** 1-based line in the file, when the value is present in it. */
  line?: number;
  message: string;
}

export class SpecError extends Error {
  constructor(
    readonly file: string,
    readonly problems: SpecProblem[],
  ) {
    super(`${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n` + problems.map((p) => `  ${formatProblem(p)}`).join('\n'));
    this.name = 'SpecError';
  }
}

export function formatProblem(p: SpecProblem): string {
  return `${p.path || '(root)'}${p.line ? ` (line ${p.line})` : ''}: ${p.message}`;
}

function dotted(path: readonly PropertyKey[]): string {
  return path.map((k) => (typeof k === 'number' ? `[${k}]` : String(k))).join('.').replaceAll('.[', '[');
}

function lineOf(doc: Document, lines: LineCounter, path: readonly PropertyKey[]): number | undefined {
  // Walk up to the nearest ancestor present in the file (a missing field points at its parent).
  for (let depth = path.length; depth >= 0; depth--) {
    const node = doc.getIn(path.slice(0, depth) as (string | number)[], true);
    if (isNode(node) && node.range) return lines.linePos(node.range[0]).line;
  }
  return undefined;
}

function hintFor(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') {
    return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}: remove or correct the spelling`;
  }
  if (issue.code === 'invalid_type' && issue.message.includes('received undefined')) {
    return `required: add this field (${issue.expected})`;
  }
  return issue.message;
}

/** Validates already-parsed spec data; `source` names it in messages. */
export function validateSpec(data: unknown, source = 'spec', doc?: Document, lines?: LineCounter): DeploymentSpec {
  const result = deploymentSpecSchema.safeParse(data);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => ({
    path: dotted(issue.path),
    line: doc && lines ? lineOf(doc, lines, issue.path) : undefined,
    message: hintFor(issue),
  }));
  throw new SpecError(source, problems);
}

/** Parses YAML or JSON text (JSON is YAML) and validates it. */
export function parseSpec(text: string, source = 'spec'): DeploymentSpec {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new SpecError(
      source,
      doc.errors.map((e) => ({ path: '', line: e.linePos?.[0]?.line, message: `not valid YAML/JSON: ${e.message.split('\n')[0]}` })),
    );
  }
  return validateSpec(doc.toJS(), source, doc, lines);
}

export async function loadSpecFile(file: string): Promise<DeploymentSpec> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new SpecError(file, [{ path: '', message: `cannot read the file: ${(err as NodeJS.ErrnoException).code ?? String(err)}` }]);
  }
  return parseSpec(text, file);
}

/** Adds the line of each problem's path in `file` (problems found after loading, e.g. the worker policy's refusals). */
export async function locateProblems(file: string, problems: SpecProblem[]): Promise<SpecProblem[]> {
  const lines = new LineCounter();
  const doc = parseDocument(await readFile(file, 'utf8'), { lineCounter: lines, prettyErrors: false });
  return problems.map((p) => ({ ...p, line: p.line ?? lineOf(doc, lines, p.path.split(/\.|\[|\]/).filter(Boolean).map((k) => (/^\d+$/.test(k) ? Number(k) : k))) }));
}
