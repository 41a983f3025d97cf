// The `auth.oauth.provider` record OpenG2P needs for e-Signet login, per OpenG2P generation
// (field sets: shared/reference/openg2p-odoo.md §1.2a–§1.5). Pure functions, no I/O.
import type { OdooFieldInfo } from '../clients/odoo.js';
import type { DeploymentSpec } from '../spec/schema.js';
import type { EsignetEndpoints } from './types.js';

export type OpenG2PGeneration = 15 | 17;

/** Fields that only OpenG2P 1.x's auth_oidc fork + g2p_auth_id_oidc have. */
const GEN15_FIELDS = [
  'flow',
  'client_authentication_method',
  'assertion_type',
  'client_private_key',
  'g2p_oidc_id_to_use',
];
/** Fields of OpenG2P 1.2+'s own g2p_auth_oidc module. */
const GEN17_FIELDS = ['flow', 'client_authentication_method', 'client_private_key', 'jwt_assertion_aud', 'enable_pkce'];

/** Which OpenG2P generation the provider model belongs to, or which module is missing. */
export function detectGeneration(
  fields: Record<string, OdooFieldInfo>,
): { generation: OpenG2PGeneration } | { missing: string } {
  if (GEN15_FIELDS.every((f) => f in fields)) return { generation: 15 };
  if (GEN17_FIELDS.every((f) => f in fields)) return { generation: 17 };
  if (!('flow' in fields)) {
    return {
      missing:
        "auth.oauth.provider has only plain auth_oauth fields: install OpenG2P's OIDC module — auth_oidc (OpenG2P/server-auth 15.0) " +
        'with g2p_auth_id_oidc on OpenG2P 1.x, or g2p_auth_oidc on OpenG2P 1.2+',
    };
  }
  if ('assertion_type' in fields)
    return {
      missing:
        'auth_oidc is installed but g2p_auth_id_oidc is not (no g2p_oidc_id_to_use field): install g2p_auth_id_oidc',
    };
  const absent = GEN17_FIELDS.filter((f) => !(f in fields));
  return {
    missing: `auth.oauth.provider has an OIDC flow but lacks ${absent.join(', ')}: install OpenG2P's g2p_auth_oidc (OpenG2P 1.2+), not OCA's auth_oidc`,
  };
}

export interface ProviderInputs {
  spec: DeploymentSpec;
  clientId: string;
  privateKeyPem: string;
  endpoints: EsignetEndpoints;
  portalGroupId: number;
  idTypeId?: number;
}

/** Every field of the admin guide, in the form each field expects (binary = base64 of the PEM file bytes). */
export function providerValues(generation: OpenG2PGeneration, i: ProviderInputs): Record<string, unknown> {
  const p = i.spec.openg2p.provider;
  const common: Record<string, unknown> = {
    name: p.name,
    body: p.buttonLabel,
    enabled: true,
    client_id: i.clientId,
    token_map: p.tokenMap,
    client_authentication_method: 'private_key_jwt',
    client_private_key: Buffer.from(i.privateKeyPem, 'utf8').toString('base64'),
    auth_endpoint: i.endpoints.authorizationEndpoint,
    validation_endpoint: i.endpoints.userinfoEndpoint,
    token_endpoint: i.endpoints.tokenEndpoint,
    jwks_uri: i.endpoints.jwksUri,
    scope: p.scope,
    ...(i.idTypeId !== undefined ? { g2p_id_type: i.idTypeId } : {}),
  };
  if (generation === 15) {
    return {
      ...common,
      flow: 'id_token_code',
      assertion_type: 'jwt-bearer',
      g2p_oidc_id_to_use: true,
      partner_creation_call_validate_url: true,
      partner_creation_validate_response_mapping: p.validateResponseMapping,
      default_group_user_creation: i.portalGroupId,
      login_attribute_mapping_on_user_creation: p.loginAttribute,
    };
  }
  return {
    ...common,
    flow: 'oidc_auth_code',
    allow_signup: 'yes',
    signup_default_groups: [[6, 0, [i.portalGroupId]]],
  };
}

/** Fields read back to verify the record (the private key is compared by presence, not printed). */
export const VERIFIED_FIELDS = [
  'name',
  'client_id',
  'enabled',
  'flow',
  'client_authentication_method',
  'auth_endpoint',
  'token_endpoint',
  'jwks_uri',
  'validation_endpoint',
] as const;
