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

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = row;
  }
  return previous[b.length]!;
}
