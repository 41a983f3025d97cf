// From text to data, with every way that can fail said in plain words and located: the yaml
// library's own wording ("please use YAML.parseAllDocuments()") and its cascades (one tab gives
// a dozen BAD_INDENT errors) are not something a person can act on.
import { LineCounter, parseAllDocuments, visit, type Document, type YAMLError } from 'yaml';
import { pathAt, dotted, type SpecPath } from './locate.js';
import type { SpecProblem } from './problem.js';

export interface ParsedText {
  data: unknown;
  doc: Document;
  lines: LineCounter;
}

/** Aliases a spec may expand: a real one has none or a few; "billion laughs" needs many. */
const MAX_ALIAS_COUNT = 100;

const START_FROM = 'start from examples/sandbox.yaml';

/** Text → data, or the problems that stop it being read (syntax, several documents, alias bombs). */
export function parseText(text: string): ParsedText | SpecProblem[] {
  // A UTF-8 byte-order mark is harmless; editors on Windows add one.
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const lines = new LineCounter();
  let docs: Document[];
  try {
    const parsed = parseAllDocuments(source, {
      lineCounter: lines,
      prettyErrors: false,
      uniqueKeys: true,
      merge: true,
    });
    docs = Array.isArray(parsed) ? parsed : [];
  } catch (err) {
    return [{ path: '', message: unreadable(err) }];
  }
  // `---` alone (a document marker, trailing or leading) is not a second spec.
  const filled = docs.filter((d) => d.contents !== null || d.errors.length > 0);
  if (filled.length === 0)
    return [
      { path: '', line: 1, message: `the file is empty (no fields, only blank lines or comments): ${START_FROM}` },
    ];
  if (filled.length > 1) {
    return [
      {
        path: '',
        line: lines.linePos(filled[1]!.range?.[0] ?? 0).line,
        message: `the file holds ${filled.length} YAML documents separated by ---; a spec is one document: put each deployment in its own file, or remove the ---`,
      },
    ];
  }
  const doc = filled[0]!;
  const syntax = syntaxProblems(doc, lines, source);
  if (syntax.length) return syntax;
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    return [{ path: '', line: firstAliasLine(doc, lines), message: unreadable(err) }];
  }
  if (data === null || data === undefined)
    return [{ path: '', line: 1, message: `the file is empty (no fields): ${START_FROM}` }];
  if (typeof data !== 'object' || Array.isArray(data)) {
    return [
      {
        path: '',
        line: 1,
        message: `a spec is a block of fields (deploymentId: …, mosip: …, one per line); this file holds ${Array.isArray(data) ? 'a list' : 'a single value'}: ${START_FROM}`,
      },
    ];
  }
  return { data, doc, lines };
}

function unreadable(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if (/alias count|resource exhaustion/i.test(message)) {
    return `the file expands YAML aliases (*name) into more than ${MAX_ALIAS_COUNT} copies, which is how documents that exhaust memory are built: write the values out, or use fewer aliases`;
  }
  if (/Unresolved alias/.test(message))
    return 'an alias (*name) refers to no anchor (&name) defined before it: define the anchor first, or write the value out';
  if (/call stack/i.test(message))
    return 'the file is nested too deeply to be a spec (brackets or indentation hundreds of levels deep): is this the right file?';
  return `cannot read the file as YAML/JSON: ${message.split('\n')[0]}`;
}

/**
 * The syntax errors worth reading: every duplicate key (each stands alone), and the first other
 * error only — what follows it is mostly the parser losing its footing.
 */
function syntaxProblems(doc: Document, lines: LineCounter, source: string): SpecProblem[] {
  const errors = [...doc.errors].sort((a, b) => a.pos[0] - b.pos[0]);
  const first = errors.find((e) => e.code !== 'DUPLICATE_KEY');
  return errors
    .filter((e) => e.code === 'DUPLICATE_KEY' || e === first)
    .map((e) => {
      const path = errorPath(doc, lines, source, e.pos[0]);
      return {
        path: dotted(path),
        line: lines.linePos(e.pos[0]).line,
        message: `not valid YAML/JSON: ${syntaxAdvice(e, path)}`,
      };
    });
}

/** Keys as a spec writes them: a "key" with spaces or quotes is the parser's guess in broken text. */
const cleanPath = (path: SpecPath) =>
  path.length > 0 && path.every((k) => typeof k === 'number' || /^[\w.-]+$/.test(k));

/**
 * The field a syntax error is in. Past the error the parser's tree is guesswork, so when it gives
 * no believable path, the text up to the end of the error's line is read again and the key on
 * that line (or the last one before it) is taken.
 */
function errorPath(doc: Document, lines: LineCounter, source: string, offset: number): SpecPath {
  const direct = pathAt(doc, offset);
  if (cleanPath(direct)) return direct;
  const lineEnd = source.indexOf('\n', offset);
  const lineStart = lines.lineStarts[lines.linePos(offset).line - 1] ?? 0;
  let head = source.slice(0, lineEnd === -1 ? undefined : lineEnd);
  const indent = /^[ \t]*/.exec(head.slice(lineStart))![0];
  if (indent.includes('\t')) {
    // A tab-indented line belongs where a neighbour's spaces would put it: read it so.
    const neighbour = source
      .slice(lineEnd + 1)
      .split('\n')
      .concat(source.slice(0, lineStart).split('\n').reverse())
      .find((l) => l.trim() && !/^[ ]*\t/.test(l));
    head = head.slice(0, lineStart) + (/^ */.exec(neighbour ?? '')?.[0] ?? '') + head.slice(lineStart + indent.length);
  }
  const firstChar = lineStart + (/^[\s]*/.exec(head.slice(lineStart))?.[0].length ?? 0);
  const retry = parseAllDocuments(head, { prettyErrors: false, merge: true });
  const first = Array.isArray(retry) ? retry[0] : undefined;
  if (!first) return [];
  for (const at of [firstChar, lineStart - 1]) {
    const path = pathAt(first, Math.max(0, at));
    if (cleanPath(path)) return path;
  }
  return [];
}

const COMMA_ADVICE =
  'unexpected text here: most often a comma is missing at the end of the line before (between two entries of { } or [ ]), or a quote is not closed';

function syntaxAdvice(e: YAMLError, path: SpecPath): string {
  const original = e.message.split('\n')[0]!;
  switch (e.code) {
    case 'TAB_AS_INDENT':
      return 'a tab indents this line; YAML indents with spaces only: replace the tab with spaces, lined up with the fields around it';
    case 'BAD_INDENT':
      if (/Flow sequence|Flow map/.test(original))
        return 'a [ or { opened on this line or above is never closed: add the closing bracket';
      return 'this line is indented differently from the fields it belongs with: line it up with them (spaces only)';
    case 'DUPLICATE_KEY':
      return `${String(path[path.length - 1] ?? 'a field')} appears twice in the same block: keep one (readers would silently drop the other)`;
    case 'MISSING_CHAR':
      if (/quote/.test(original))
        return 'a quote opened here is never closed: add the closing quote (to write a quote inside "…", use \\")';
      if (/must end with a [\]}]/.test(original))
        return `a ${original.endsWith('}') ? '{' : '['} opened here is never closed: add the closing ${original.slice(-1)}, or a comma is missing between two entries`;
      if (/Missing ,/.test(original)) return COMMA_ADVICE;
      if (/followed by map values/.test(original))
        return 'a field name without a colon: write "name: value" (or quote the text if it is part of the value above)';
      return `something is missing here (${original}): check this line and the one before`;
    case 'MULTILINE_IMPLICIT_KEY':
    case 'BLOCK_IN_FLOW':
    case 'UNEXPECTED_TOKEN':
      return COMMA_ADVICE;
    case 'BAD_SCALAR_START':
      return `a plain value cannot start with ${original.slice(-1)}: put the value in quotes`;
    case 'BAD_DQ_ESCAPE':
      return 'a backslash inside "double quotes" starts an escape sequence: write \\\\ for a backslash, or use single quotes';
    case 'KEY_OVER_1024_CHARS':
      return 'a field name longer than 1024 characters: a colon or a line break is probably missing';
    case 'RESOURCE_EXHAUSTION':
      return unreadable(e);
    default:
      return `${original}: check this line and the one before`;
  }
}

function firstAliasLine(doc: Document, lines: LineCounter): number | undefined {
  let line: number | undefined;
  visit(doc, {
    Alias(_key, node) {
      if (node.range) line = lines.linePos(node.range[0]).line;
      return visit.BREAK;
    },
  });
  return line;
}
