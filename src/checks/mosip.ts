// MOSIP: both partners active, their MOSIP-signed certificates and the MISP license valid beyond
// the horizon, the Auth policy published and valid, the mapping approved, the API key still held
// by PMS, and on the PMS path the OIDC client as PMS records it (status, redirect URIs, key).
import { PmsClient } from '../clients/pms.js';
import { certificateFingerprint } from '../security/fingerprint.js';
import { sha256Hex } from '../security/fingerprint.js';
import { x509 } from '../security/x509.js';
import { mosipServiceUrls, redirectUris } from '../spec/derived.js';
import { partnerAdminToken } from '../activities/mosip-session.js';
import { readAuthPolicy } from '../activities/policy-claims.js';
import { attempt, daysLeft, expiryStatus, mosipDate, type CheckContext } from './context.js';
import { jwkThumbprint } from './keys.js';
import { shortFingerprint, type CheckResult } from './report.js';

export async function mosipChecks(ctx: CheckContext): Promise<CheckResult[]> {
  const { spec } = ctx;
  let pms: PmsClient | undefined;
  let token: string | undefined;
  const login = await attempt(ctx, 'mosip.login', 'partnerAdmin', async () => {
    token = await partnerAdminToken(spec, ctx.secrets, ctx.deps.http);
    pms = new PmsClient(mosipServiceUrls(spec.mosip).pms, token, ctx.deps.http);
    return [];
  });
  if (!pms || !token) {
    // Every MOSIP check needs the Partner Admin's session: one result says why none was made.
    return login.map((r) => ({ ...r, resource: 'mosip', check: 'all checks' }));
  }
  const admin = pms;
  const results: CheckResult[] = [];
  for (const [role, partnerId] of [
    ['authPartner', spec.partners.auth.id],
    ['mispPartner', spec.partners.misp.id],
  ] as const) {
    const resource = `pms.${role}`;
    results.push(
      ...(await attempt(ctx, resource, 'active', async () => {
        const partner = await admin.getPartner(partnerId);
        if (!partner)
          return [
            {
              resource,
              check: 'active',
              status: 'missing',
              wanted: partnerId,
              detail: `PMS has no partner ${partnerId}`,
              why: 'onboarding registers it; without it nothing MOSIP issued for it is honoured',
            },
          ];
        return [
          {
            resource,
            check: 'active',
            status: partner.isActive ? 'in-sync' : 'drift',
            live: partner.status,
            wanted: 'active',
            detail: `${partnerId} is ${partner.status}`,
            why: 'a deactivated partner’s API key, license and logins are refused: ask the Partner Admin to re-activate it',
          },
        ];
      })),
    );
    results.push(
      ...(await attempt(ctx, `pms.${role}Certificate`, 'expiry', async () => {
        const pem = await admin.getPartnerCertificate(partnerId);
        if (!pem)
          return [
            {
              resource: `pms.${role}Certificate`,
              check: 'expiry',
              status: 'missing',
              detail: `PMS holds no certificate of ${partnerId}`,
              why: 'the partner certificate is uploaded at onboarding; without it the partner cannot be active',
            },
          ];
        const notAfter = new x509.X509Certificate(pem).notAfter;
        const status = expiryStatus(ctx, notAfter);
        return [
          {
            resource: `pms.${role}Certificate`,
            check: 'expiry',
            status,
            live: notAfter.toISOString(),
            detail: `${shortFingerprint(certificateFingerprint(pem))} valid until ${notAfter.toISOString().slice(0, 10)} (${daysLeft(ctx, notAfter)} days)`,
            why:
              status === 'in-sync'
                ? 'renew before it expires'
                : 'upload a renewed partner certificate on PMS before it expires (MOSIP stops trusting the partner)',
          },
        ];
      })),
    );
  }
  results.push(
    ...(await attempt(ctx, 'policymanager.authPolicy', 'published', async () => {
      const policy = await readAuthPolicy(spec, token!, ctx.deps);
      const name = spec.partners.auth.policy;
      if (!policy)
        return [
          {
            resource: 'policymanager.authPolicy',
            check: 'published',
            status: 'missing',
            wanted: `${name} published in ${spec.partners.auth.policyGroup}`,
            detail: `policy group ${spec.partners.auth.policyGroup} has no active policy named "${name}"`,
            why: 'PMS refuses API keys and logins of a partner whose policy is not published',
          },
        ];
      const out: CheckResult[] = [
        {
          resource: 'policymanager.authPolicy',
          check: 'published',
          status: 'in-sync',
          live: policy.status ?? 'PUBLISHED',
          detail: `"${name}" (${policy.policyId}) is published`,
          why: 'PMS honours only published policies',
        },
      ];
      if (policy.validTill) {
        const until = mosipDate(policy.validTill);
        const status = expiryStatus(ctx, until);
        out.push({
          resource: 'policymanager.authPolicy',
          check: 'validTill',
          status,
          live: policy.validTill,
          detail: `valid until ${until.toISOString().slice(0, 10)} (${daysLeft(ctx, until)} days)`,
          why: 'an expired policy stops the partner’s authentication: ask the Partner Admin to extend or republish it',
        });
      }
      return out;
    })),
  );
  results.push(
    ...(await attempt(ctx, 'pms.policyMapping', 'approved', async () => {
      const mapping = await admin.findPolicyMapping(spec.partners.auth.id, spec.partners.auth.policy);
      return [
        {
          resource: 'pms.policyMapping',
          check: 'approved',
          status: !mapping ? 'missing' : mapping.status === 'approved' ? 'in-sync' : 'drift',
          live: mapping?.status,
          wanted: 'approved',
          detail: mapping ? `mapping ${mapping.mappingKey} is ${mapping.status}` : 'no mapping request found',
          why: 'the API key and the OIDC client stand on an approved mapping',
        },
      ];
    })),
  );
  results.push(...(await attempt(ctx, 'pms.apiKey', 'exists', () => apiKeyChecks(ctx, admin))));
  results.push(...(await attempt(ctx, 'pms.mispLicense', 'active', () => licenseChecks(ctx, admin))));
  if (spec.oidcClient.registration === 'pms') {
    results.push(...(await attempt(ctx, 'pms.oidcClient', 'exists', () => pmsClientChecks(ctx, admin))));
  }
  return results;
}

async function apiKeyChecks(ctx: CheckContext, pms: PmsClient): Promise<CheckResult[]> {
  const key = ctx.stored.apiKey;
  if (!key)
    return [
      {
        resource: 'pms.apiKey',
        check: 'exists',
        status: 'missing',
        detail: 'the worker holds no API key for this deployment',
        why: 'collectCredentials obtains it; run or resume the onboarding',
      },
    ];
  ctx.secrets.remember(key.value);
  const fingerprint = shortFingerprint(sha256Hex(key.value));
  const mapped = await pms.apiKeyPolicy(ctx.spec.partners.auth.id, key.value);
  if (!mapped)
    return [
      {
        resource: 'pms.apiKey',
        check: 'exists',
        status: 'missing',
        wanted: `${key.label} ${fingerprint}`,
        detail: `PMS holds no API key ${fingerprint} (label ${key.label}) for ${ctx.spec.partners.auth.id}`,
        why: 'the key OpenG2P was given is unknown to PMS: issue a new one under a new label',
      },
    ];
  return [
    {
      resource: 'pms.apiKey',
      check: 'exists',
      status: 'in-sync',
      live: `${fingerprint} → policy ${mapped.policyId ?? '?'}`,
      detail: `API key ${fingerprint} (label ${key.label}) is held by PMS for policy ${mapped.policyId ?? '?'}`,
      why: 'IDA accepts only keys PMS holds',
    },
    {
      resource: 'pms.apiKey',
      check: 'active',
      status: 'cannot-check',
      detail: `whether ${fingerprint} is active`,
      why: 'MOSIP PMS 1.2.0.x shows an API key’s active flag through no API (only PATCH …/apiKey/status sets it)',
    },
  ];
}

async function licenseChecks(ctx: CheckContext, pms: PmsClient): Promise<CheckResult[]> {
  const mispId = ctx.spec.partners.misp.id;
  const stored = ctx.stored.mispLicenseKey;
  if (!stored)
    return [
      {
        resource: 'pms.mispLicense',
        check: 'active',
        status: 'missing',
        detail: 'the worker holds no MISP license key for this deployment',
        why: 'requestMispLicense obtains it; run or resume the onboarding',
      },
    ];
  ctx.secrets.remember(stored);
  const rows = await pms.mispLicenses();
  // Every key in the list is a secret: none may reach a message.
  for (const row of rows) ctx.secrets.remember(row.licenseKey);
  const fingerprint = shortFingerprint(sha256Hex(stored));
  const row = rows.find((r) => r.mispId === mispId && r.licenseKey === stored);
  if (!row)
    return [
      {
        resource: 'pms.mispLicense',
        check: 'active',
        status: 'missing',
        wanted: fingerprint,
        detail: `PMS lists no license ${fingerprint} for ${mispId}`,
        why: 'the license OpenG2P was given is unknown to PMS: ask the Partner Admin for a new one',
      },
    ];
  const results: CheckResult[] = [
    {
      resource: 'pms.mispLicense',
      check: 'active',
      status: row.isActive === false ? 'drift' : 'in-sync',
      live: row.isActive === false ? 'De-Active' : 'Active',
      wanted: 'Active',
      detail: `license ${fingerprint} of ${mispId} is ${row.isActive === false ? 'deactivated' : 'active'}`,
      why: 'IDA refuses requests under a deactivated MISP license: ask the Partner Admin to re-activate it',
    },
  ];
  if (row.validToDate) {
    const until = mosipDate(row.validToDate);
    const status = expiryStatus(ctx, until);
    results.push({
      resource: 'pms.mispLicense',
      check: 'expiry',
      status,
      live: until.toISOString(),
      detail: `valid until ${until.toISOString().slice(0, 10)} (${daysLeft(ctx, until)} days)`,
      why: 'an expired MISP license stops authentication: have a new one issued before then',
    });
  }
  return results;
}

async function pmsClientChecks(ctx: CheckContext, pms: PmsClient): Promise<CheckResult[]> {
  const clientId = ctx.stored.oidcClient?.clientId;
  if (!clientId)
    return [
      {
        resource: 'pms.oidcClient',
        check: 'exists',
        status: 'missing',
        detail: 'the worker holds no registered client for this deployment',
        why: 'registerOidcClient registers it',
      },
    ];
  const client = await pms.getOidcClient(clientId);
  if (!client)
    return [
      {
        resource: 'pms.oidcClient',
        check: 'exists',
        status: 'missing',
        wanted: clientId,
        detail: `PMS has no OIDC client ${clientId}`,
        why: 'registerOidcClient registers it through PMS',
      },
    ];
  const wanted = redirectUris(ctx.spec);
  const live = client.redirectUris ?? [];
  const same = live.length === wanted.length && wanted.every((u) => live.includes(u));
  const results: CheckResult[] = [
    {
      resource: 'pms.oidcClient',
      check: 'status',
      status: client.status.toUpperCase() === 'ACTIVE' ? 'in-sync' : 'drift',
      live: client.status,
      wanted: 'ACTIVE',
      detail: `client ${clientId} is ${client.status}`,
      why: 'an INACTIVE client cannot log anyone in',
    },
    {
      resource: 'pms.oidcClient',
      check: 'redirectUris',
      status: same ? 'in-sync' : 'drift',
      live,
      wanted,
      detail: same ? `${wanted.length} redirect URI(s) as OpenG2P needs` : `PMS records ${live.join(', ') || 'none'}`,
      why: "e-Signet sends users back only to registered URIs: update the client's redirect URIs",
    },
  ];
  const wantedThumbprint = ctx.stored.clientKey?.thumbprint;
  let registered: string | undefined;
  try {
    registered = client.publicKey
      ? await jwkThumbprint(JSON.parse(client.publicKey) as Record<string, unknown>)
      : undefined;
  } catch {
    registered = undefined;
  }
  results.push({
    resource: 'pms.oidcClient',
    check: 'keyThumbprint',
    status:
      registered === undefined || wantedThumbprint === undefined
        ? 'cannot-check'
        : registered === wantedThumbprint
          ? 'in-sync'
          : 'conflict',
    live: registered,
    wanted: wantedThumbprint,
    detail: registered ? `registered key ${registered}` : 'PMS shows no readable public key',
    why: 'the key OpenG2P signs with must be the key registered for the client',
  });
  return results;
}
