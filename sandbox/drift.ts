// Drift: what happens to a relying party after onboarding, done the way an administrator would
// do it in each system's own console — a client's redirect URIs or status changed on e-Signet, a
// partner, API key or MISP license deactivated on PMS, a policy or certificate expiring, the
// OpenG2P provider edited. Served on the control port (POST /drift) for tests of the checks,
// the plan and the drift watch; nothing here is reachable on the systems' own ports.
import { z } from 'zod';
import { toPem, x509 } from '../src/security/x509.js';
import type { Sandbox } from './sandbox.js';

const DAY_MS = 24 * 3600 * 1000;

export const driftRequestSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('esignet-client'),
    clientId: z.string().min(1),
    redirectUris: z.array(z.string()).optional(),
    status: z.enum(['ACTIVE', 'INACTIVE']).optional(),
  }),
  z.object({ kind: z.literal('partner'), partnerId: z.string().min(1), active: z.boolean() }),
  z.object({ kind: z.literal('api-key'), partnerId: z.string().min(1), active: z.boolean() }),
  z.object({
    kind: z.literal('misp-license'),
    mispId: z.string().min(1),
    active: z.boolean().optional(),
    expiresInDays: z.number().optional(),
  }),
  z.object({
    kind: z.literal('policy'),
    name: z.string().min(1),
    expiresInDays: z.number().optional(),
    published: z.boolean().optional(),
  }),
  z.object({ kind: z.literal('certificate'), partnerId: z.string().min(1), expiresInDays: z.number() }),
  z.object({
    kind: z.literal('openg2p-provider'),
    name: z.string().min(1),
    values: z.record(z.string(), z.unknown()),
  }),
]);
export type DriftRequest = z.infer<typeof driftRequestSchema>;

/** Applies one change; throws with what was not found. */
export async function applyDrift(sandbox: Sandbox, change: DriftRequest): Promise<void> {
  const state = sandbox.mosip.state;
  const inDays = (days: number) => new Date(Date.now() + days * DAY_MS);
  switch (change.kind) {
    case 'esignet-client': {
      const client = sandbox.esignet.clients.get(change.clientId);
      if (!client) throw new Error(`e-Signet has no client ${change.clientId}`);
      if (change.redirectUris) client.redirectUris = change.redirectUris;
      if (change.status) client.status = change.status;
      client.updatedAt = new Date().toISOString();
      return;
    }
    case 'partner': {
      const partner = state.partners.get(change.partnerId);
      if (!partner) throw new Error(`PMS has no partner ${change.partnerId}`);
      partner.isActive = change.active;
      return;
    }
    case 'api-key': {
      const keys = state.apiKeys.filter((k) => k.partnerId === change.partnerId);
      if (!keys.length) throw new Error(`PMS has no API key of ${change.partnerId}`);
      for (const key of keys) key.isActive = change.active;
      return;
    }
    case 'misp-license': {
      const licenses = state.mispLicenses.filter((l) => l.mispId === change.mispId);
      if (!licenses.length) throw new Error(`PMS has no MISP license of ${change.mispId}`);
      for (const license of licenses) {
        if (change.active !== undefined) license.isActive = change.active;
        if (change.expiresInDays !== undefined) license.validTo = inDays(change.expiresInDays);
      }
      return;
    }
    case 'policy': {
      const policy = [...state.policies.values()].find((p) => p.name === change.name);
      if (!policy) throw new Error(`the policy manager has no policy ${change.name}`);
      if (change.expiresInDays !== undefined) policy.validTill = inDays(change.expiresInDays);
      if (change.published === false) {
        policy.isActive = false;
        policy.status = 'DRAFTED';
      }
      return;
    }
    case 'certificate': {
      const partner = state.partners.get(change.partnerId);
      const record = partner?.certificateAlias ? state.partnerCertificates.get(partner.certificateAlias) : undefined;
      if (!record) throw new Error(`PMS holds no certificate of ${change.partnerId}`);
      const pki = await sandbox.mosip.pki;
      const current = new x509.X509Certificate(record.signedCertificatePem);
      record.signedCertificatePem = toPem(await pki.resign(current, inDays(change.expiresInDays)));
      return;
    }
    case 'openg2p-provider': {
      const provider = [...sandbox.odoo.providers.values()].find((p) => p.name === change.name);
      if (!provider) throw new Error(`OpenG2P has no provider named ${change.name}`);
      Object.assign(provider, change.values);
      return;
    }
  }
}
