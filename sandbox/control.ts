// The sandbox's control API, on its own port so it never mixes with the real paths: the
// request log, creation counts (duplicate detection), partner users, portal approvals, fault
// injection and drift (changes made behind the product's back, see drift.ts).
import type { Sandbox } from './sandbox.js';
import { faultsRequestSchema } from './faults.js';
import { applyDrift, driftRequestSchema } from './drift.js';
import { json, type Route } from './router.js';

export function createControl(sandbox: Sandbox): Route[] {
  return [
    {
      method: 'GET',
      path: '/requests',
      handler: (req) => {
        const system = req.query.get('system');
        return json(system ? sandbox.requests.filter((r) => r.system === system) : sandbox.requests);
      },
    },
    {
      method: 'GET',
      path: '/counts',
      handler: () =>
        json({
          ...sandbox.mosip.counts(),
          oidcClients: sandbox.esignet.createCounts,
          openg2pProviders: sandbox.odoo.providerCreateCounts,
          activeApiKeys: activeApiKeys(sandbox),
        }),
    },
    {
      // What is switched on now, per system: the day-two soak's orphan and active-client counts.
      method: 'GET',
      path: '/active',
      handler: () => json(activeRecords(sandbox)),
    },
    {
      method: 'GET',
      path: '/faults',
      handler: () => json({ ...sandbox.faults.list(), injected: sandbox.faults.injected.length }),
    },
    {
      method: 'POST',
      path: '/faults',
      handler: (req) => {
        const parsed = faultsRequestSchema.safeParse(req.json ?? {});
        if (!parsed.success) return json({ error: 'invalid faults request', issues: parsed.error.issues }, 400);
        try {
          const ids = parsed.data.rules.map((rule) => sandbox.faults.add(rule).id);
          if (parsed.data.global) sandbox.faults.setGlobal(parsed.data.global);
          return json({ ids, ...sandbox.faults.list() }, 201);
        } catch (err) {
          return json({ error: (err as Error).message }, 400);
        }
      },
    },
    {
      method: 'DELETE',
      path: '/faults',
      handler: () => {
        sandbox.faults.clear();
        return json(sandbox.faults.list());
      },
    },
    {
      method: 'POST',
      path: '/drift',
      handler: async (req) => {
        const parsed = driftRequestSchema.safeParse(req.json ?? {});
        if (!parsed.success) return json({ error: 'invalid drift request', issues: parsed.error.issues }, 400);
        try {
          await applyDrift(sandbox, parsed.data);
          return json({ applied: parsed.data }, 200);
        } catch (err) {
          return json({ error: (err as Error).message }, 404);
        }
      },
    },
    {
      method: 'POST',
      path: '/partner-users',
      handler: (req) => {
        const partnerId = (req.json as { partnerId?: unknown } | undefined)?.partnerId;
        if (typeof partnerId !== 'string' || !partnerId)
          return json({ error: 'body must be {"partnerId": "..."}' }, 400);
        sandbox.addPartnerUser(partnerId);
        return json({ partnerId, created: true }, 201);
      },
    },
    {
      // Receives the approval notices (reminders, escalations, timeouts) a spec's webhookUrl sends.
      method: 'POST',
      path: '/approval-notices',
      handler: (req) => {
        const notice = req.json as { noticeId?: unknown } | undefined;
        if (!notice || typeof notice.noticeId !== 'string')
          return json({ error: 'body must be an approval notice with a noticeId' }, 400);
        if (!sandbox.approvalNotices.some((n) => n.noticeId === notice.noticeId))
          sandbox.approvalNotices.push(notice as { noticeId: string });
        return { status: 204 };
      },
    },
    {
      method: 'GET',
      path: '/approval-notices',
      handler: () => json(sandbox.approvalNotices),
    },
    {
      method: 'POST',
      path: '/mappings/:mappingKey/approve',
      handler: (req) => {
        sandbox.mosip.approveMapping(req.params.mappingKey!);
        return json({ mappingKey: req.params.mappingKey, status: 'approved' });
      },
    },
  ];
}

/** Active API keys per `<partnerId>/<policyName>`: a key re-issued after a lost answer leaves the lost one deactivated. */
function activeApiKeys(sandbox: Sandbox): Record<string, number> {
  const active: Record<string, number> = {};
  for (const key of sandbox.mosip.state.apiKeys) {
    if (!key.isActive) continue;
    const name = `${key.partnerId}/${sandbox.mosip.state.policies.get(key.policyId)?.name ?? key.policyId}`;
    active[name] = (active[name] ?? 0) + 1;
  }
  return active;
}

/** Every record that is switched on: ACTIVE clients, active API keys, licenses and partners, enabled providers. */
function activeRecords(sandbox: Sandbox) {
  const { state } = sandbox.mosip;
  return {
    oidcClients: [...sandbox.esignet.clients.values()]
      .filter((c) => c.status === 'ACTIVE')
      .map((c) => ({ clientId: c.clientId, relyingPartyId: c.relyingPartyId })),
    apiKeys: state.apiKeys.filter((k) => k.isActive).map((k) => ({ partnerId: k.partnerId, label: k.label })),
    mispLicenses: state.mispLicenses.filter((l) => l.isActive).map((l) => ({ mispId: l.mispId })),
    partners: [...state.partners.values()].filter((p) => p.isActive).map((p) => p.partnerId),
    providers: [...sandbox.odoo.providers.values()]
      .filter((p) => p.enabled === true)
      .map((p) => ({ name: String(p.name), clientId: String(p.client_id) })),
  };
}
