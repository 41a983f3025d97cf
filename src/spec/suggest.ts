// "Did you mean …?" for a misspelt field: the fields the schema knows at that place, found by
// walking the schema itself, so the suggestion can never name a field that does not exist.
import type { z } from 'zod';

type Def = {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  in?: z.ZodType;
  element?: z.ZodType;
};

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (let i = 0; i < 10; i++) {
    const def = current._zod.def as unknown as Def;
    const inner = def.innerType ?? (def.type === 'pipe' ? def.in : undefined);
    if (!inner) return current;
    current = inner;
  }
  return current;
}

/** The field names the object at `path` takes, or [] when the path leads to no object. */
export function knownFields(root: z.ZodType, path: readonly PropertyKey[]): string[] {
  let schema = unwrap(root);
  for (const key of path) {
    const def = schema._zod.def as unknown as Def;
    if (def.type === 'object' && typeof key === 'string' && def.shape?.[key]) schema = unwrap(def.shape[key]);
    else if (def.type === 'array' && typeof key === 'number' && def.element) schema = unwrap(def.element);
    else return [];
  }
  const def = schema._zod.def as unknown as Def;
  return def.type === 'object' && def.shape ? Object.keys(def.shape) : [];
}

/** The known name closest to `name` (case-insensitive edit distance ≤ 3, or one contains the other). */
export function closest(name: string, known: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    const related =
      distance <= Math.min(3, Math.floor(candidate.length / 2)) ||
      (name.length > 3 && candidate.toLowerCase().includes(name.toLowerCase()));
    if (related && (!best || distance < best.distance)) best = { name: candidate, distance };
  }
  return best?.name;
}

/** Edits between two names, a swap of neighbours counting as one (the typo people make most). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}
