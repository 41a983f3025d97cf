// What differs between two specs, for the audit trail (a retry's corrected spec, an update's
// plan), and what may not differ. Pure functions: the workflow and the CLI both use them.
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
