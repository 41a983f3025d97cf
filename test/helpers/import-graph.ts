// The import graph of the repository's TypeScript sources: every relative module specifier a
// file names (static imports and re-exports, `import type`, `import('…')` and `typeof import('…')`),
// resolved to the .ts file it compiles from. Type-only edges count: they are what a reader follows.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** Repository-relative path (with `/`) → the repository-relative files it imports. */
export type ImportGraph = Map<string, string[]>;

const SPECIFIER = [
  /^\s*(?:import|export)\s[^'"`;]*?\sfrom\s*['"]([^'"]+)['"]/gm,
  /^\s*import\s*['"]([^'"]+)['"]/gm,
  /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
];

/** Drops whole-line comments (`//`, and ` * ` lines of a block comment), where examples of imports may appear. */
function withoutCommentLines(source: string): string {
  return source.replace(/^\s*(?:\/\/|\/?\*).*$/gm, '');
}

function tsFiles(root: string, dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : tsFiles(root, path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The graph of every .ts file under `dirs` (repository-relative folders). */
export function importGraph(root: string, dirs: string[]): ImportGraph {
  const graph: ImportGraph = new Map();
  for (const file of dirs.flatMap((dir) => tsFiles(root, dir))) {
    const source = withoutCommentLines(readFileSync(join(root, file), 'utf8'));
    const targets = new Set<string>();
    for (const pattern of SPECIFIER) {
      for (const match of source.matchAll(pattern)) {
        const specifier = match[1]!;
        if (!specifier.startsWith('.')) continue;
        const target = resolve(root, dirname(file), specifier.replace(/\.js$/, '.ts'));
        targets.add(relative(root, target).split(sep).join('/'));
      }
    }
    graph.set(file, [...targets].sort());
  }
  return graph;
}

/** Every import circle (Tarjan's strongly connected components of two files or more, or a file importing itself). */
export function importCircles(graph: ImportGraph): string[][] {
  const index = new Map<string, number>();
  const lowLink = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const circles: string[][] = [];
  let next = 0;
  const visit = (file: string): void => {
    index.set(file, next);
    lowLink.set(file, next);
    next += 1;
    stack.push(file);
    onStack.add(file);
    for (const target of graph.get(file) ?? []) {
      if (!graph.has(target)) continue;
      if (!index.has(target)) {
        visit(target);
        lowLink.set(file, Math.min(lowLink.get(file)!, lowLink.get(target)!));
      } else if (onStack.has(target)) {
        lowLink.set(file, Math.min(lowLink.get(file)!, index.get(target)!));
      }
    }
    if (lowLink.get(file) !== index.get(file)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== file);
    if (component.length > 1 || graph.get(file)!.includes(file)) circles.push(component.sort());
  };
  for (const file of graph.keys()) if (!index.has(file)) visit(file);
  return circles;
}
