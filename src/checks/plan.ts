// The plan: what an onboarding run of a spec would do to each resource, read from the systems
// without touching them. Built from the consistency checks (one set, used everywhere) and a few
// reads of who owns what already exists. Values are public: ids, URLs, fingerprints, never a secret.
import type { PartnerDetails } from '../clients/pms.js';
import type { StoredCredentials } from '../activities/credential-store.js';
import { apiKeyLabel, redirectUris } from '../spec/derived.js';
import type { DeploymentSpec } from '../spec/schema.js';
import { sha256Hex } from '../security/fingerprint.js';
import type { CheckResult, ConsistencyReport } from './report.js';
import { shortFingerprint } from './report.js';

export type PlanAction = 'create' | 'update' | 'in-sync' | 'conflict' | 'cannot-check';

export interface PlanChange {
  field: string;
  live?: unknown;
  wanted?: unknown;
}

export interface PlanItem {
  /** What a person calls it: `Auth partner`, `OIDC client`… */
  resource: string;
  action: PlanAction;
  /** For `update`: each field, what it is and what the run makes it. */
  changes?: PlanChange[];
  /** One line: ids, fingerprints, what would be done. */
  detail: string;
  /** For conflict and cannot-check: why, and what to do. */
  why?: string;
}

export interface DeploymentPlan {
  deploymentId: string;
  plannedAt: string;
  items: PlanItem[];
  /** Items per action. */
  summary: Record<PlanAction, number>;
  /** specDigest of the items (what the start or retry command carries into the audit trail). */
  digest?: string;
}

/** What the plan reads besides the checks: who owns what already exists on PMS. */
export interface OwnershipReads {
  partners: { auth?: PartnerDetails | null; misp?: PartnerDetails | null };
  /** Fingerprints of the licenses PMS lists for the MISP partner (read only when the worker holds none). */
  mispLicenses?: { fingerprint: string; active: boolean }[];
  /** A read that failed, by resource: the reason (redacted). */
  unreadable: Record<string, string>;
}

const cannot = (resource: string, why: string): PlanItem => ({
  resource,
  action: 'cannot-check',
  detail: 'not read',
  why,
});

function resultsOf(report: ConsistencyReport, resource: string): CheckResult[] {
  return report.results.filter((r) => r.resource === resource);
}

function unreadableReason(results: CheckResult[]): string | undefined {
  const c = results.find((r) => r.status === 'cannot-check');
  return c ? `${c.detail} (${c.why})` : undefined;
}

/** Every MOSIP check failed for want of a Partner Admin session: the reason, once. */
function mosipDown(report: ConsistencyReport): string | undefined {
  const all = report.results.find((r) => r.resource === 'mosip');
  return all ? all.detail : undefined;
}

function partnerItem(
  spec: DeploymentSpec,
  role: 'auth' | 'misp',
  reads: OwnershipReads,
  report: ConsistencyReport,
): PlanItem {
  const resource = role === 'auth' ? 'Auth partner' : 'MISP partner';
  const wanted = role === 'auth' ? spec.partners.auth : spec.partners.misp;
  const type = role === 'auth' ? 'Auth_Partner' : 'MISP_Partner';
  const down = mosipDown(report) ?? reads.unreadable[`partner.${role}`];
  if (down) return cannot(resource, down);
  const live = reads.partners[role];
  if (!live)
    return {
      resource,
      action: 'create',
      detail: `${wanted.id} (${type}, ${wanted.organisation}${role === 'auth' ? `, policy group ${spec.partners.auth.policyGroup}` : ''})`,
    };
  if (live.partnerType.toLowerCase() !== type.toLowerCase())
    return {
      resource,
      action: 'conflict',
      detail: `${wanted.id} exists as ${live.partnerType}, not ${type}`,
      why: `another partner holds the id: choose another partners.${role}.id`,
    };
  if (live.organizationName !== wanted.organisation)
    return {
      resource,
      action: 'conflict',
      detail: `${wanted.id} belongs to organisation "${live.organizationName}", not "${wanted.organisation}"`,
      why: `another owner registered this id: choose another partners.${role}.id (or fix partners.${role}.organisation if it is yours)`,
    };
  if (!live.isActive)
    return {
      resource,
      action: 'update',
      changes: [{ field: 'status', live: live.status, wanted: 'active' }],
      detail: `${wanted.id} is ${live.status}`,
      why: 'the Partner Admin activates it (PMS lets no one else)',
    };
  return { resource, action: 'in-sync', detail: `${wanted.id} (${live.partnerType}) active` };
}

function certificateItem(role: 'auth' | 'misp', reads: OwnershipReads, report: ConsistencyReport): PlanItem {
  const resource = role === 'auth' ? 'Auth partner certificate' : 'MISP partner certificate';
  const down = mosipDown(report);
  if (down) return cannot(resource, down);
  if (reads.partners[role] === null || reads.partners[role] === undefined) {
    if (reads.unreadable[`partner.${role}`]) return cannot(resource, reads.unreadable[`partner.${role}`]!);
    return { resource, action: 'create', detail: 'CA and partner certificate uploaded; MOSIP signs it' };
  }
  const [r] = resultsOf(report, `pms.${role}PartnerCertificate`);
  if (!r) return cannot(resource, 'no certificate check was made');
  switch (r.status) {
    case 'missing':
      return { resource, action: 'create', detail: 'CA and partner certificate uploaded; MOSIP signs it' };
    case 'in-sync':
      return { resource, action: 'in-sync', detail: r.detail };
    case 'expiring':
    case 'drift':
      return {
        resource,
        action: 'update',
        changes: [{ field: 'notAfter', live: r.live, wanted: 'a renewed certificate' }],
        detail: r.detail,
        why: r.why,
      };
    default:
      return cannot(resource, `${r.detail} (${r.why})`);
  }
}

function mappingItem(spec: DeploymentSpec, reads: OwnershipReads, report: ConsistencyReport): PlanItem {
  const resource = 'policy mapping';
  const down = mosipDown(report);
  if (down) return cannot(resource, down);
  const policy = spec.partners.auth.policy;
  // A policy PMS does not have published: the run stops at verifyPrerequisites until it is.
  const published = resultsOf(report, 'policymanager.authPolicy').find((r) => r.check === 'published');
  if (published?.status === 'missing')
    return {
      resource,
      action: 'cannot-check',
      detail: `${spec.partners.auth.id} → policy "${policy}"`,
      why: `${published.detail}: the Partner Admin publishes it (or fix partners.auth.policy); a run stops at verifyPrerequisites until then`,
    };
  if (!reads.partners.auth && !reads.unreadable['partner.auth'])
    return {
      resource,
      action: 'create',
      detail: `${spec.partners.auth.id} → policy "${policy}" (the Partner Admin approves)`,
    };
  const [r] = resultsOf(report, 'pms.policyMapping');
  if (!r || r.status === 'cannot-check') return cannot(resource, r ? `${r.detail} (${r.why})` : 'not checked');
  if (r.status === 'missing')
    return {
      resource,
      action: 'create',
      detail: `${spec.partners.auth.id} → policy "${policy}" (the Partner Admin approves)`,
    };
  if (r.live === 'approved') return { resource, action: 'in-sync', detail: r.detail };
  if (r.live === 'InProgress')
    return { resource, action: 'in-sync', detail: `${r.detail}: the run waits for the Partner Admin's approval` };
  return {
    resource,
    action: 'update',
    changes: [{ field: 'status', live: r.live, wanted: 'approved (a new request)' }],
    detail: r.detail,
  };
}

function apiKeyItem(spec: DeploymentSpec, stored: StoredCredentials, report: ConsistencyReport): PlanItem {
  const resource = 'API key';
  const label = apiKeyLabel(spec);
  const key = stored.apiKey;
  if (!key)
    return {
      resource,
      action: 'create',
      detail: `issued to ${spec.partners.auth.id} under label ${label}; kept on the worker, shown by fingerprint`,
      why: stored.apiKeyRequest
        ? `an earlier attempt asked for label ${stored.apiKeyRequest.label}: a key PMS issued then is deactivated and a new one issued`
        : undefined,
    };
  const fingerprint = shortFingerprint(sha256Hex(key.value));
  if ((key.requestedLabel ?? key.label) !== label)
    return {
      resource,
      action: 'update',
      changes: [{ field: 'label', live: key.label, wanted: label }],
      detail: `a new key is issued under ${label} (the key ${fingerprint} stays as it is in PMS)`,
    };
  const [exists] = resultsOf(report, 'pms.apiKey');
  if (!exists || exists.status === 'cannot-check')
    return cannot(resource, exists ? `${exists.detail} (${exists.why})` : 'not checked');
  if (exists.status === 'missing')
    return {
      resource,
      action: 'conflict',
      detail: exists.detail,
      why: 'PMS no longer holds the key the worker holds: set partners.auth.apiKeyLabel to a new label to have another issued',
    };
  return { resource, action: 'in-sync', detail: exists.detail };
}

function licenseItem(
  spec: DeploymentSpec,
  stored: StoredCredentials,
  reads: OwnershipReads,
  report: ConsistencyReport,
): PlanItem {
  const resource = 'MISP license';
  const down = mosipDown(report);
  if (down) return cannot(resource, down);
  if (!stored.mispLicenseKey) {
    if (reads.unreadable.mispLicenses) return cannot(resource, reads.unreadable.mispLicenses);
    const existing = reads.mispLicenses ?? [];
    const active = existing.find((l) => l.active);
    if (active)
      return {
        resource,
        action: 'in-sync',
        detail: `PMS holds license ${shortFingerprint(active.fingerprint)} for ${spec.partners.misp.id}: the run takes it over`,
      };
    return {
      resource,
      action: 'create',
      detail: `issued to ${spec.partners.misp.id}; kept on the worker, shown by fingerprint`,
    };
  }
  const results = resultsOf(report, 'pms.mispLicense');
  const unread = unreadableReason(results);
  if (unread) return cannot(resource, unread);
  const missing = results.find((r) => r.status === 'missing');
  if (missing)
    return {
      resource,
      action: 'conflict',
      detail: missing.detail,
      why: 'PMS no longer lists the license the worker holds: ask the Partner Admin for a new one',
    };
  const changes = results
    .filter((r) => r.status !== 'in-sync')
    .map((r) => ({ field: r.check, live: r.live, wanted: r.wanted ?? 'renewed' }));
  if (changes.length)
    return {
      resource,
      action: 'update',
      changes,
      detail: results.map((r) => r.detail).join('; '),
      why: 'the Partner Admin re-activates or renews it',
    };
  return { resource, action: 'in-sync', detail: results.map((r) => r.detail).join('; ') };
}

function oidcClientItem(spec: DeploymentSpec, stored: StoredCredentials, report: ConsistencyReport): PlanItem {
  const resource = 'OIDC client';
  const via = spec.oidcClient.registration === 'pms' ? 'PMS' : 'e-Signet client management';
  const wanted = redirectUris(spec);
  const client = stored.oidcClient;
  if (!client)
    return {
      resource,
      action: 'create',
      detail: `"${spec.oidcClient.name}" through ${via}, redirect URIs ${wanted.join(', ')}, ACRs ${spec.oidcClient.acrs.join(', ')}; key generated on the worker`,
    };
  if (stored.clientKey && client.keyThumbprint !== stored.clientKey.thumbprint)
    return {
      resource,
      action: 'conflict',
      detail: `client ${client.clientId} was registered with key ${client.keyThumbprint}, the worker holds ${stored.clientKey.thumbprint}`,
      why: 'the client is not registered for the key OpenG2P signs with: rotate the key',
    };
  const family = spec.oidcClient.registration === 'pms' ? 'pms.oidcClient' : 'esignet.client';
  const results = resultsOf(report, family);
  const conflict = results.find((r) => r.status === 'conflict');
  if (conflict) return { resource, action: 'conflict', detail: conflict.detail, why: conflict.why };
  // PMS lost the client the worker recorded: a run registers it again for the same key.
  if (results.some((r) => r.check === 'exists' && r.status === 'missing'))
    return {
      resource,
      action: 'create',
      detail: `"${spec.oidcClient.name}" through ${via} again (PMS has no client ${client.clientId}), redirect URIs ${wanted.join(', ')}`,
    };
  const changes: PlanChange[] = [];
  for (const r of results) {
    if (r.status === 'in-sync' || r.status === 'cannot-check') continue;
    if (r.check === 'redirectUris') changes.push({ field: 'redirectUris', live: r.live, wanted });
    else if (r.check === 'active' || r.check === 'status')
      changes.push({ field: 'status', live: r.live, wanted: 'ACTIVE' });
    else changes.push({ field: r.check, live: r.live, wanted: r.wanted });
  }
  const key = `key ${stored.clientKey?.thumbprint ?? client.keyThumbprint}`;
  if (changes.length)
    return {
      resource,
      action: 'update',
      changes,
      detail: `client ${client.clientId} (${key}) updated through ${via}`,
    };
  const unread = results.find((r) => r.status === 'cannot-check' && r.check !== 'keyThumbprint');
  if (unread || results.length === 0)
    return cannot(resource, unread ? `${unread.detail} (${unread.why})` : 'no client check was made');
  return {
    resource,
    action: 'in-sync',
    detail: `client ${client.clientId} (${key}), ACTIVE, redirect URIs ${wanted.join(', ')}`,
  };
}

function providerItem(spec: DeploymentSpec, stored: StoredCredentials, report: ConsistencyReport): PlanItem {
  const resource = 'OpenG2P provider';
  const name = spec.openg2p.provider.name;
  const results = resultsOf(report, 'openg2p.provider');
  const exists = results.find((r) => r.check === 'exists');
  if (exists?.status === 'missing')
    return {
      resource,
      action: 'create',
      detail: `"${name}" at ${spec.openg2p.url} with every field of the admin guide`,
    };
  if (exists) return cannot(resource, `${exists.detail} (${exists.why})`);
  const clientId = results.find((r) => r.check === 'clientId');
  if (!stored.oidcClient && clientId?.live)
    return {
      resource,
      action: 'conflict',
      detail: `"${name}" exists with client ${String(clientId.live)}, which this worker did not register`,
      why: 'another owner set this provider up: choose another openg2p.provider.name, or remove it in OpenG2P if it is stale',
    };
  const changes: PlanChange[] = [];
  for (const r of results) {
    if (r.status === 'in-sync' || r.status === 'cannot-check') continue;
    if (r.check === 'endpoints' && r.live && typeof r.live === 'object') {
      const wanted = (r.wanted ?? {}) as Record<string, unknown>;
      for (const [field, live] of Object.entries(r.live as Record<string, unknown>))
        changes.push({ field, live, wanted: wanted[field] });
    } else if (r.check === 'keyThumbprint') {
      changes.push({ field: 'client_private_key', live: r.live, wanted: r.wanted });
    } else changes.push({ field: r.check === 'clientId' ? 'client_id' : r.check, live: r.live, wanted: r.wanted });
  }
  if (!stored.oidcClient)
    return {
      resource,
      action: 'update',
      changes: [...changes, { field: 'client_id', live: clientId?.live ?? '', wanted: 'the client the run registers' }],
      detail: `"${name}" exists without a client: the run fills it in`,
    };
  if (changes.length) return { resource, action: 'update', changes, detail: `"${name}" at ${spec.openg2p.url}` };
  return {
    resource,
    action: 'in-sync',
    detail: `"${name}" at ${spec.openg2p.url}: ${results.map((r) => r.check).join(', ')} as wanted`,
  };
}

/** Every resource a run touches, in the order the run touches it (search attributes are added by the CLI). */
export function buildPlan(
  spec: DeploymentSpec,
  stored: StoredCredentials,
  report: ConsistencyReport,
  reads: OwnershipReads,
): PlanItem[] {
  return [
    partnerItem(spec, 'auth', reads, report),
    certificateItem('auth', reads, report),
    mappingItem(spec, reads, report),
    partnerItem(spec, 'misp', reads, report),
    certificateItem('misp', reads, report),
    licenseItem(spec, stored, reads, report),
    apiKeyItem(spec, stored, report),
    oidcClientItem(spec, stored, report),
    providerItem(spec, stored, report),
  ];
}

export function summarize(items: readonly PlanItem[]): Record<PlanAction, number> {
  const summary: Record<PlanAction, number> = { create: 0, update: 0, 'in-sync': 0, conflict: 0, 'cannot-check': 0 };
  for (const i of items) summary[i.action] += 1;
  return summary;
}

/** One line for the audit trail: `3 create, 1 update, 5 in sync`. */
export function summaryLine(plan: Pick<DeploymentPlan, 'summary'>): string {
  return (Object.entries(plan.summary) as [PlanAction, number][])
    .filter(([, n]) => n > 0)
    .map(([a, n]) => `${n} ${a.replace('-', ' ')}`)
    .join(', ');
}

const LABEL: Record<PlanAction, string> = {
  create: '+ create',
  update: '~ update',
  'in-sync': '= in sync',
  conflict: '! conflict',
  'cannot-check': '? cannot check',
};

const show = (v: unknown) => (v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v));

export function renderPlan(plan: DeploymentPlan): string {
  const lines = [`plan for deployment ${plan.deploymentId} (read ${plan.plannedAt}): ${summaryLine(plan)}`];
  for (const i of plan.items) {
    lines.push(`  ${LABEL[i.action].padEnd(15)} ${i.resource.padEnd(26)} ${i.detail}`);
    for (const c of i.changes ?? []) lines.push(`      ${c.field}: ${show(c.live)} → ${show(c.wanted)}`);
    if (i.why && i.action !== 'in-sync') lines.push(`      why: ${i.why}`);
  }
  if (plan.digest) lines.push(`  plan digest ${plan.digest}`);
  return lines.join('\n');
}
