// The MOSIP API gateway of the sandbox: authmanager, the Keycloak realm's token endpoint,
// PMS (partner manager, with its OIDC clients), the policy manager, keymanager and IDA's
// internal certificate API, all on one port.
// Faithful to PMS release-1.2.0.1 / keymanager 1.2.0.x / kernel auth 1.2.0.x (see
// shared/reference/mosip-pms.md); the Partner Admin's portal is `approveMapping`.
import type { Route } from '../router.js';
import type { SandboxContext } from '../context.js';
import { authRoutes } from './authmanager.js';
import { certificateRoutes } from './certificates.js';
import { idaRoutes } from './ida.js';
import { keymanagerRoutes } from './keymanager.js';
import { mappingSearchRoutes } from './mapping-search.js';
import { decideMapping, mappingRoutes } from './mappings.js';
import { mispRoutes } from './misp.js';
import { apiKeyStatusRoutes } from './api-key-status.js';
import { partnerRoutes } from './partners.js';
import { pmsOidcClientRoutes, type PmsOidcClients } from './oidc-clients.js';
import { policyManagerRoutes } from './policymanager.js';
import { createMosipPki, type MosipPki } from './pki.js';
import { readRoutes } from './reads.js';
import { createSeededState } from './seed.js';
import type { MappingRecord, MosipState } from './state.js';

export type { MosipState } from './state.js';
export {
  SEEDED_AUTH_POLICY,
  SEEDED_BASIC_POLICY,
  SEEDED_DRAFT_POLICY,
  SEEDED_EXPIRED_POLICY,
  SEEDED_POLICY_GROUP,
} from './seed.js';

export interface MosipSandbox {
  /** All served on one port, as the MOSIP API gateway does. */
  routes: Route[];
  state: MosipState;
  /** PMS's OIDC clients (`/oidc/client`), each forwarded to the sandbox's e-Signet. */
  oidcClients: PmsOidcClients;
  /**
   * Portal approval by the Partner Admin (demo mode / tests). Approving an approved mapping is a
   * no-op; an unknown, rejected or no longer approvable one throws (with the PMS error code).
   */
  approveMapping(mappingKey: string): void;
  /**
   * How many times each record was created, for duplicate detection: partners by partner id,
   * policy mappings and API keys by `<partnerId>/<policyName>`, MISP licenses by MISP id.
   */
  counts(): {
    partners: Record<string, number>;
    policyMappings: Record<string, number>;
    apiKeys: Record<string, number>;
    mispLicenses: Record<string, number>;
  };
  /** Resolves once the sandbox PKI (root CA, PMS and IDA keys) is generated. */
  ready: Promise<void>;
  /** The PKI, for the drift control (re-signing a certificate to expire sooner). */
  pki: Promise<MosipPki>;
  stop(): void;
}

export function createMosip(ctx: SandboxContext): MosipSandbox {
  const state = createSeededState();
  const pki = createMosipPki(state);
  // Keeps an unhandled rejection from killing the process; routes await `pki` and report it.
  pki.catch(() => undefined);
  const timers = new Set<NodeJS.Timeout>();
  const partnerAdmin = () => ctx.credentials.partnerAdminUser;

  const approveMapping = (mappingKey: string) => {
    if (state.mappings.get(mappingKey)?.statusCode === 'approved') return;
    decideMapping(state, mappingKey, 'Approved', partnerAdmin());
  };

  // Demo mode: the Partner Admin approves each new request in the portal after a delay.
  const onMappingCreated = (mapping: MappingRecord) => {
    const delay = ctx.options.autoApproveMappingsAfterMs;
    if (delay === undefined) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (state.mappings.get(mapping.mappingKey)?.statusCode !== 'InProgress') return;
      try {
        approveMapping(mapping.mappingKey);
      } catch {
        // The policy may have been deactivated meanwhile; a real admin could not approve either.
      }
    }, delay);
    timer.unref();
    timers.add(timer);
  };

  const oidc = pmsOidcClientRoutes(ctx, state);
  const routes: Route[] = [
    ...authRoutes(ctx.realm),
    // Literal paths before `/partners/:partnerId…` patterns.
    ...certificateRoutes(ctx.realm, state, pki),
    ...mappingSearchRoutes(ctx.realm, state),
    ...mappingRoutes(ctx.realm, state, onMappingCreated),
    ...apiKeyStatusRoutes(ctx.realm, state),
    // After `/partners/:partnerId/apikey/request`: Spring prefers the literal segment too.
    ...readRoutes(ctx.realm, state),
    ...partnerRoutes(ctx.realm, state),
    ...mispRoutes(ctx.realm, state),
    ...oidc.routes,
    ...policyManagerRoutes(ctx.realm, state),
    ...keymanagerRoutes(ctx.realm, state, pki),
    ...idaRoutes(ctx.realm, state, pki),
  ];

  return {
    routes,
    state,
    oidcClients: oidc.clients,
    approveMapping,
    counts: () => structuredClone(state.created),
    ready: pki.then(() => undefined),
    pki,
    stop: () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}
