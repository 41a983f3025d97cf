// Discovery (`mosip.esignet.discovery.key-values`), OAuth server metadata and JWKS, plus the value
// sets registration validates against (claims_supported, the amr-acr mapping, grant types).
import { json, type Route, type SandboxResponse } from '../router.js';
import type { EsignetVersion } from '../context.js';
import { springError } from './envelope.js';
import { SERVLET_PATH, type EsignetState } from './state.js';

/** `claims_supported`; also the whitelist for `userClaims` at registration. */
export const CLAIMS_SUPPORTED = [
  'name',
  'address',
  'gender',
  'birthdate',
  'picture',
  'email',
  'phone_number',
  'individual_id',
  'phone_number_verified',
  'registration_type',
  'updated_at',
];

/** `acr_amr` of amr_acr_mapping.json: the ACRs registration accepts, with the auth factors each needs. */
const ACR_FACTORS_141: Record<string, string> = {
  'mosip:idp:acr:static-code': 'PIN',
  'mosip:idp:acr:generated-code': 'OTP',
  'mosip:idp:acr:linked-wallet': 'WLA',
  'mosip:idp:acr:biometrics': 'BIO',
};
const ACR_FACTORS_170: Record<string, string> = {
  ...ACR_FACTORS_141,
  'mosip:idp:acr:knowledge': 'KBI',
  'mosip:idp:acr:password': 'PWD',
  'mosip:idp:acr:id-token': 'IDT',
};

export function acrFactors(version: EsignetVersion): Record<string, string> {
  return version === '1.7.0' ? ACR_FACTORS_170 : ACR_FACTORS_141;
}

/** Discovery advertises every registrable ACR except id-token (an internal factor). */
function advertisedAcrs(version: EsignetVersion): string[] {
  return Object.keys(acrFactors(version)).filter((acr) => acr !== 'mosip:idp:acr:id-token');
}

export const GRANT_TYPES = ['authorization_code'];
export const CLIENT_AUTH_METHODS = ['private_key_jwt'];
export const OPENID_SCOPES = ['openid', 'profile', 'email', 'phone'];
export const AUTHORIZE_SCOPES = [
  'Manage-Identity-Data',
  'Manage-VID',
  'Manage-Authentication',
  'Manage-Service-Requests',
  'Manage-Credentials',
];
/** `mosip.esignet.openid.scope.claims`. */
export const SCOPE_CLAIMS: Record<string, string[]> = {
  profile: [
    'name',
    'address',
    'gender',
    'birthdate',
    'picture',
    'email',
    'phone_number',
    'phone_number_verified',
    'registration_type',
    'updated_at',
  ],
  email: ['email'],
  phone: ['phone_number', 'phone_number_verified'],
};

export function assertionAlgorithms(version: EsignetVersion): string[] {
  return version === '1.7.0' ? ['RS256', 'PS256', 'ES256'] : ['RS256'];
}

export function tokenEndpoint(state: EsignetState): string {
  return `${state.serviceUrl}/oauth/v2/token`;
}

/**
 * `mosip.esignet.discovery.key-values` of the served release (application-default.properties at the
 * v1.5.1 and v1.7.1 tags): PAR, DPoP, PKCE and the `iss` response parameter arrived with 1.7.0, the
 * `*_signed_response_alg` keys only after 1.7.x (HEAD, 1.8.0), so no served release names them.
 */
export function discoveryDocument(state: EsignetState): Record<string, unknown> {
  const domain = state.domain;
  const service = state.serviceUrl;
  const v17 = state.version === '1.7.0';
  const signingAlgs = v17 ? ['RS256', 'PS256'] : ['RS256'];
  return {
    issuer: domain,
    authorization_endpoint: `${domain}/authorize`,
    token_endpoint: tokenEndpoint(state),
    userinfo_endpoint: `${service}/oidc/userinfo`,
    // The local-setup form; the deployed default is `${domain}/.well-known/jwks.json`, served by the UI's nginx.
    jwks_uri: state.ctx.options.esignetWithoutUiFront
      ? `${domain}/.well-known/jwks.json`
      : `${service}/oauth/.well-known/jwks.json`,
    ...(v17 ? { pushed_authorization_request_endpoint: `${service}/oauth/par` } : {}),
    scopes_supported: OPENID_SCOPES,
    response_types_supported: ['code'],
    acr_values_supported: advertisedAcrs(state.version),
    userinfo_signing_alg_values_supported: signingAlgs,
    userinfo_encryption_alg_values_supported: ['RSAXXXXX'],
    userinfo_encryption_enc_values_supported: ['A128GCM'],
    response_modes_supported: ['query'],
    token_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    token_endpoint_auth_signing_alg_values_supported: assertionAlgorithms(state.version),
    id_token_signing_alg_values_supported: signingAlgs,
    claim_types_supported: ['normal'],
    claims_parameter_supported: true,
    display_values_supported: ['page', 'popup', 'touch', 'wap'],
    subject_types_supported: ['pairwise'],
    claims_supported: CLAIMS_SUPPORTED,
    claims_locales_supported: ['en'],
    request_parameter_supported: false,
    ui_locales_supported: ['en'],
    claims_in_verified_claims_supported: ['name', 'address', 'gender', 'birthdate', 'picture', 'email', 'phone_number'],
    ...(v17
      ? {
          dpop_signing_alg_values_supported: ['RS256', 'PS256'],
          code_challenge_methods_supported: ['S256'],
          require_pushed_authorization_requests: false,
          authorization_response_iss_parameter_supported: true,
        }
      : {}),
  };
}

function oauthServerMetadata(state: EsignetState): Record<string, unknown> {
  const d = discoveryDocument(state);
  return {
    issuer: d['issuer'],
    authorization_endpoint: d['authorization_endpoint'],
    token_endpoint: d['token_endpoint'],
    jwks_uri: d['jwks_uri'],
    pushed_authorization_request_endpoint: d['pushed_authorization_request_endpoint'],
    token_endpoint_auth_methods_supported: d['token_endpoint_auth_methods_supported'],
    token_endpoint_auth_signing_alg_values_supported: d['token_endpoint_auth_signing_alg_values_supported'],
    scopes_supported: d['scopes_supported'],
    response_modes_supported: d['response_modes_supported'],
    grant_types_supported: GRANT_TYPES,
    response_types_supported: d['response_types_supported'],
    authorization_response_iss_parameter_supported: true,
  };
}

const CORS = { 'access-control-allow-origin': '*' };

export function discoveryRoutes(state: EsignetState): Route[] {
  const discovery = () => json(discoveryDocument(state), 200, CORS);
  const jwks = () => json({ keys: [state.keys.jwk] }, 200, CORS);
  // Without the UI front, the bare service answers the root `/.well-known/*` paths with 200 and an empty body (observed on 1.7.1).
  const front = (handler: () => SandboxResponse) => () =>
    state.ctx.options.esignetWithoutUiFront ? { status: 200 } : handler();
  return [
    { method: 'GET', path: `${SERVLET_PATH}/oidc/.well-known/openid-configuration`, handler: discovery },
    // The UI's nginx serves the same document at the host root; relying parties often read it there.
    { method: 'GET', path: '/.well-known/openid-configuration', handler: front(discovery) },
    { method: 'GET', path: `${SERVLET_PATH}/oauth/.well-known/jwks.json`, handler: jwks },
    // Spring Boot's build info: e-Signet builds it (build-info goal) and exposes every actuator endpoint
    // from 1.5.0 (bootstrap.properties); 1.4.1 exposes none of them over the web.
    {
      method: 'GET',
      path: `${SERVLET_PATH}/actuator/info`,
      handler: () =>
        state.atLeast('1.5.0')
          ? json({
              build: {
                artifact: 'esignet-service',
                name: 'esignet-service',
                version: state.release,
                group: 'io.mosip.esignet',
              },
            })
          : springError(404, 'Not Found', `${SERVLET_PATH}/actuator/info`),
    },
    { method: 'GET', path: '/.well-known/jwks.json', handler: front(jwks) },
    {
      method: 'GET',
      path: `${SERVLET_PATH}/oauth/.well-known/oauth-authorization-server`,
      handler: () => json(oauthServerMetadata(state), 200, CORS),
    },
  ];
}
