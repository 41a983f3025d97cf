// Dotted release numbers (e-Signet `1.7.1`, Odoo modules `15.0.1.1.0`) compared part by part.

/** Numeric parts of a dotted version; a suffix such as `-SNAPSHOT` or `-rc1` is ignored. */
export function versionParts(version: string): number[] {
  return version
    .split(/[-+]/)[0]!
    .split('.')
    .map((p) => Number.parseInt(p, 10))
    .map((n) => (Number.isFinite(n) ? n : 0));
}

/** Negative when a < b, 0 when equal (missing parts count as 0), positive when a > b. */
export function compareVersions(a: string, b: string): number {
  const x = versionParts(a);
  const y = versionParts(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** A half-open range of releases: `from` included, `below` excluded; either end may be open. */
export interface VersionRange {
  from?: string;
  below?: string;
}

export function inRange(version: string, range: VersionRange): boolean {
  if (range.from !== undefined && compareVersions(version, range.from) < 0) return false;
  if (range.below !== undefined && compareVersions(version, range.below) >= 0) return false;
  return true;
}

export function describeRange(range: VersionRange): string {
  if (range.from && range.below) return `${range.from} up to (not including) ${range.below}`;
  if (range.from) return `${range.from} or later`;
  if (range.below) return `before ${range.below}`;
  return 'any release';
}
