// Where two specs differ, as dotted paths: for the audit trail of a retry with a corrected spec,
// for what it re-applies (reapply.ts) and an update's plan; and what may not differ. Pure: the
// workflow and the CLI share it.
import { canonicalJson } from '../approvals/command.js';
import type { DeploymentSpec } from '../spec/schema.js';

/** Dotted paths (two levels deep) whose values differ between two specs, for the audit trail. */
export function changedSections(before: DeploymentSpec, after: DeploymentSpec): string[] {
  const changed: string[] = [];
  const a = before as unknown as Record<string, unknown>;
  const b = after as unknown as Record<string, unknown>;
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const x = a[key];
    const y = b[key];
    if (JSON.stringify(x) === JSON.stringify(y)) continue;
    if (x && y && typeof x === 'object' && typeof y === 'object' && !Array.isArray(x)) {
      const xo = x as Record<string, unknown>;
      const yo = y as Record<string, unknown>;
      for (const sub of new Set([...Object.keys(xo), ...Object.keys(yo)])) {
        if (JSON.stringify(xo[sub]) !== JSON.stringify(yo[sub])) changed.push(`${key}.${sub}`);
      }
    } else changed.push(key);
  }
  return changed;
}

/** Dotted paths down to `depth` levels (partners.auth.apiKeyLabel) whose values differ: what a retry re-applies. */
export function changedPaths(before: unknown, after: unknown, depth = 3, prefix = ''): string[] {
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
  if (depth === 0 || !isObject(before) || !isObject(after)) return [prefix];
  const out: string[] = [];
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)]))
    out.push(...changedPaths(before[key], after[key], depth - 1, prefix ? `${prefix}.${key}` : key));
  return out;
}

/**
 * What a corrected spec may not change: who approves and how (the approval section), and which
 * deployment and partners the run registers. A retry that could would let ops swap the approvers
 * of a run that is waiting for them.
 */
export function changedFixedSections(before: DeploymentSpec, after: DeploymentSpec): string[] {
  const fixed: [string, (s: DeploymentSpec) => unknown][] = [
    ['deploymentId', (s) => s.deploymentId],
    ['approval', (s) => s.approval],
    ['partners.auth.id', (s) => s.partners?.auth?.id],
    ['partners.misp.id', (s) => s.partners?.misp?.id],
  ];
  return fixed.filter(([, pick]) => canonicalJson(pick(before)) !== canonicalJson(pick(after))).map(([path]) => path);
}
