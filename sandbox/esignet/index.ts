// The e-Signet stand-in: client management, discovery/JWKS and the OIDC login flow with
// private-key-JWT token exchange, under the servlet path /v1/esignet of the e-Signet domain.
import type { SandboxContext } from '../context.js';
import type { Route } from '../router.js';
import { authenticationRoutes } from './authentication.js';
import { clientManagementRoutes } from './client-mgmt.js';
import { discoveryRoutes } from './discovery.js';
import { createSigningKeys } from './keys.js';
import { oidcFlowRoutes } from './oidc-flow.js';
import { EsignetState, type EsignetClientRecord } from './state.js';
import { tokenRoutes } from './token.js';

export type { EsignetClientRecord } from './state.js';
export type { EsignetVersion } from '../context.js';
export { SERVLET_PATH } from './state.js';

export interface EsignetSandbox {
  routes: Route[];
  clients: Map<string, EsignetClientRecord>;
  /** How many times each clientId was created (duplicate detection in tests). */
  createCounts: Record<string, number>;
}

export async function createEsignet(ctx: SandboxContext): Promise<EsignetSandbox> {
  const state = new EsignetState(ctx, await createSigningKeys(), await createSigningKeys('MOCK_IDA_KYC'));
  return {
    routes: [
      ...discoveryRoutes(state),
      ...clientManagementRoutes(state),
      ...oidcFlowRoutes(state),
      ...authenticationRoutes(state),
      ...tokenRoutes(state),
    ],
    clients: state.clients,
    createCounts: state.createCounts,
  };
}
