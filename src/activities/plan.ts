// planDeployment: what a run of this spec would do to each resource, read from the systems and
// the worker's credential store without changing anything (the consistency checks, plus who owns
// the partners and licenses that already exist). Only ids, URLs and fingerprints leave it.
import { runChecks, horizonMsOf } from '../checks/index.js';
import { scrub, type CheckContext } from '../checks/context.js';
import { buildPlan, summarize, type DeploymentPlan, type OwnershipReads } from '../checks/plan.js';
import { specDigest } from '../approvals/command.js';
import { sha256Hex } from '../security/fingerprint.js';
import type { DeploymentSpec } from '../spec/schema.js';
import { guardedFor, type ActivityDeps } from './context.js';
import { adminPms } from './mosip-session.js';

export type { DeploymentPlan, PlanItem } from '../checks/plan.js';

async function ownershipReads(ctx: CheckContext): Promise<OwnershipReads> {
  const reads: OwnershipReads = { partners: {}, unreadable: {} };
  const { spec } = ctx;
  let pms;
  try {
    pms = await adminPms(spec, ctx.secrets, ctx.deps.http);
  } catch (err) {
    reads.unreadable['partner.auth'] =
      reads.unreadable['partner.misp'] =
      reads.unreadable.mispLicenses =
        scrub(ctx, (err as Error).message);
    return reads;
  }
  for (const role of ['auth', 'misp'] as const) {
    try {
      reads.partners[role] = (await pms.getPartner(spec.partners[role].id)) ?? null;
    } catch (err) {
      reads.unreadable[`partner.${role}`] = scrub(ctx, (err as Error).message);
    }
  }
  if (!ctx.stored.mispLicenseKey && reads.partners.misp) {
    try {
      const rows = (await pms.mispLicenses()).filter((r) => r.mispId === spec.partners.misp.id);
      for (const r of rows) ctx.secrets.remember(r.licenseKey);
      reads.mispLicenses = rows.map((r) => ({ fingerprint: sha256Hex(r.licenseKey), active: r.isActive !== false }));
    } catch (err) {
      reads.unreadable.mispLicenses = scrub(ctx, (err as Error).message);
    }
  }
  return reads;
}

export function planActivities(deps: ActivityDeps) {
  return {
    async planDeployment(spec: DeploymentSpec): Promise<DeploymentPlan> {
      return guardedFor(spec, deps, async (secrets, deps) => {
        const ctx: CheckContext = {
          spec,
          secrets,
          deps,
          stored: await deps.credentials.read(spec.deploymentId),
          now: new Date(),
          horizonMs: horizonMsOf(spec),
        };
        const report = await runChecks(ctx);
        const items = buildPlan(spec, ctx.stored, report, await ownershipReads(ctx));
        return {
          deploymentId: spec.deploymentId,
          plannedAt: ctx.now.toISOString(),
          items,
          summary: summarize(items),
          digest: specDigest(items),
        };
      });
    },
  };
}
