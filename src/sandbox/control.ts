// The sandbox's control API, on its own port so it never mixes with the real paths: the
// request log, creation counts (duplicate detection), partner users and portal approvals.
import type { Sandbox } from './index.js';
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
        }),
    },
    {
      method: 'POST',
      path: '/partner-users',
      handler: (req) => {
        const partnerId = (req.json as { partnerId?: unknown } | undefined)?.partnerId;
        if (typeof partnerId !== 'string' || !partnerId) return json({ error: 'body must be {"partnerId": "..."}' }, 400);
        sandbox.addPartnerUser(partnerId);
        return json({ partnerId, created: true }, 201);
      },
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
