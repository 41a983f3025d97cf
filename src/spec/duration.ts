// Durations as the spec writes them. Its own module so the schema (which checks them) and the
// derived values (which the workflow reads) both import it without importing each other.
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `14d`, `12h`, `30s` → milliseconds (the schema guarantees the shape). */
export function durationMs(value: string): number {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(value);
  if (!match) throw new Error(`not a duration: ${value}`);
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}
