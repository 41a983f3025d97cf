// A problem found in a spec, and the error that carries them all (so a bad spec is fixed in one pass).

export interface SpecProblem {
  /** Dotted path inside the spec, e.g. `partners.auth.email`; '' for the file as a whole. */
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
    super(
      `${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n` +
        problems.map((p) => `  ${formatProblem(p)}`).join('\n'),
    );
    this.name = 'SpecError';
  }
}

export function formatProblem(p: SpecProblem): string {
  return `${p.path || '(file)'}${p.line ? ` (line ${p.line})` : ''}: ${p.message}`;
}
