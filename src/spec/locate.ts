// Where a problem is in the file: the line of the offending key itself (not of its parent), and
// the reverse, the field an offset (a syntax error) falls in. Works on partly broken documents:
// whatever the parser could read is searched.
import { isMap, isNode, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

export type SpecPath = readonly (string | number)[];

function keyOf(pair: { key: unknown }): string | undefined {
  return isScalar(pair.key) ? String(pair.key.value) : undefined;
}

/**
 * 1-based line of `path`: the line of its key in a mapping, of its item in a list. A field that
 * is absent points at the nearest ancestor present (where it should be added).
 */
export function lineOf(doc: Document, lines: LineCounter, path: readonly PropertyKey[]): number | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    const offset = offsetOf(doc, path.slice(0, depth));
    if (offset !== undefined) return lines.linePos(offset).line;
  }
  return undefined;
}

function offsetOf(doc: Document, path: readonly PropertyKey[]): number | undefined {
  if (path.length === 0) return isNode(doc.contents) ? doc.contents.range?.[0] : undefined;
  const parent = doc.getIn(path.slice(0, -1) as (string | number)[], true);
  const last = path[path.length - 1];
  if (isMap(parent)) {
    const pair = parent.items.find((p) => keyOf(p) === String(last));
    if (!pair) return undefined;
    if (isNode(pair.key) && pair.key.range) return pair.key.range[0];
    return isNode(pair.value) ? pair.value.range?.[0] : undefined;
  }
  if (isSeq(parent) && typeof last === 'number') {
    const item = parent.items[last];
    return isNode(item) ? item.range?.[0] : undefined;
  }
  return undefined;
}

/** The dotted field `offset` falls in (the deepest key whose entry spans it), '' at the top. */
export function pathAt(doc: Document, offset: number): SpecPath {
  const path: (string | number)[] = [];
  let node: unknown = doc.contents;
  for (;;) {
    let next: Node | undefined;
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const start = isNode(pair.key) ? pair.key.range?.[0] : undefined;
        const end = isNode(pair.value) ? pair.value.range?.[2] : isNode(pair.key) ? pair.key.range?.[2] : undefined;
        const key = keyOf(pair);
        if (start === undefined || end === undefined || key === undefined) continue;
        if (offset >= start && offset <= end) {
          path.push(key);
          next = isNode(pair.value) ? pair.value : undefined;
          break;
        }
      }
    } else if (isSeq(node)) {
      for (const [i, item] of node.items.entries()) {
        if (isNode(item) && item.range && offset >= item.range[0] && offset <= item.range[2]) {
          path.push(i);
          next = item;
          break;
        }
      }
    }
    if (!next) return path;
    node = next;
  }
}

/** Path segments from a dotted path such as `approval.approvers[0].name`. */
export function parsePath(dotted: string): SpecPath {
  return dotted
    .split(/\.|\[|\]/)
    .filter(Boolean)
    .map((k) => (/^\d+$/.test(k) ? Number(k) : k));
}

export function dotted(path: readonly PropertyKey[]): string {
  return path
    .map((k) => (typeof k === 'number' ? `[${k}]` : String(k)))
    .join('.')
    .replaceAll('.[', '[');
}
