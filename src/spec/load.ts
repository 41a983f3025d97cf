// Reads a deployment spec file (YAML or JSON) and validates it, reporting every problem with its
// path in the file, the line of the offending key, and what to do — so a bad spec is fixed in one
// pass. Every way a file can be wrong ends as a SpecError (exit 2 in the CLI), never a crash.
import { readFile } from 'node:fs/promises';
import type { Document, LineCounter } from 'yaml';
import type { z } from 'zod';
import { deploymentSpecSchema, type DeploymentSpec } from './schema.js';
import { SpecError, type SpecProblem } from './problem.js';
import { decodeSpecBytes } from './text.js';
import { parseText } from './syntax.js';
import { dotted, lineOf, parsePath } from './locate.js';
import { plainWords } from './plain-words.js';
import { closest, knownFields } from './suggest.js';

export { SpecError, formatProblem, type SpecProblem } from './problem.js';

function problemsOf(
  issue: z.core.$ZodIssue,
  locate: (path: readonly PropertyKey[]) => number | undefined,
): SpecProblem[] {
  if (issue.code === 'unrecognized_keys') {
    // One problem per unknown key, at the key itself (zod reports them at their parent).
    const known = knownFields(deploymentSpecSchema, issue.path);
    return issue.keys.map((key) => {
      const path = [...issue.path, key];
      const suggestion = closest(key, known);
      return {
        path: dotted(path),
        line: locate(path),
        message:
          key === '<<'
            ? 'YAML merge keys are not supported here: write the fields out'
            : `unknown field: ${suggestion ? `did you mean ${suggestion}?` : 'remove it or correct the spelling'}${known.length ? ` (${dotted(issue.path) || 'the top level'} takes ${known.join(', ')})` : ''}`,
      };
    });
  }
  return [{ path: dotted(issue.path), line: locate(issue.path), message: issue.message }];
}

/** Validates already-parsed spec data; `source` names it in messages. */
export function validateSpec(data: unknown, source = 'spec', doc?: Document, lines?: LineCounter): DeploymentSpec {
  const result = deploymentSpecSchema.safeParse(data, { error: plainWords });
  if (result.success) return result.data;
  const locate = (path: readonly PropertyKey[]) => (doc && lines ? lineOf(doc, lines, path) : undefined);
  throw new SpecError(
    source,
    result.error.issues.flatMap((issue) => problemsOf(issue, locate)),
  );
}

/** Parses YAML or JSON text (JSON is YAML) and validates it. */
export function parseSpec(text: string, source = 'spec'): DeploymentSpec {
  const parsed = parseText(text);
  if (Array.isArray(parsed)) throw new SpecError(source, parsed);
  return validateSpec(parsed.data, source, parsed.doc, parsed.lines);
}

async function readSpecText(file: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'there is no such file'
        : code === 'EISDIR'
          ? 'it is a folder, not a file'
          : code === 'EACCES'
            ? 'permission denied'
            : (code ?? String(err));
    throw new SpecError(file, [{ path: '', message: `cannot read the file: ${why}` }]);
  }
  const decoded = decodeSpecBytes(bytes);
  if ('problem' in decoded) throw new SpecError(file, [{ path: '', line: decoded.line, message: decoded.problem }]);
  return decoded.text;
}

export async function loadSpecFile(file: string): Promise<DeploymentSpec> {
  return parseSpec(await readSpecText(file), file);
}

/** Adds the line of each problem's path in `file` (problems found after loading, e.g. the worker policy's refusals). */
export async function locateProblems(file: string, problems: SpecProblem[]): Promise<SpecProblem[]> {
  const parsed = parseText(await readSpecText(file));
  if (Array.isArray(parsed)) return problems;
  return problems.map((p) => ({ ...p, line: p.line ?? lineOf(parsed.doc, parsed.lines, parsePath(p.path)) }));
}
