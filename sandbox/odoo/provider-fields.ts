// The `auth.oauth.provider` field set per OpenG2P generation, as the modules define it:
// Odoo 15 = auth_oauth + OpenG2P's auth_oidc fork + g2p_auth_id_oidc (15.0-1.1.0) + g2p_portal_auth;
// Odoo 17 = auth_oauth + g2p_auth_oidc + g2p_auth_id_oidc (g2p_id_type only) + g2p_portal_auth.
import { randomBytes } from 'node:crypto';
import type { FieldDef } from './fields.js';

/** Python's `secrets.token_urlsafe(32)`. */
export const tokenUrlsafe = (bytes = 32) => randomBytes(bytes).toString('base64url');

const base: Record<string, FieldDef> = {
  name: { type: 'char', string: 'Provider name', required: true },
  client_id: { type: 'char', string: 'Client ID' },
  auth_endpoint: { type: 'char', string: 'Authorization URL', required: true },
  scope: { type: 'char', string: 'Scope', default: () => 'openid profile email' },
  // Required in auth_oauth, relaxed to optional by both OIDC layers.
  validation_endpoint: { type: 'char', string: 'UserInfo URL' },
  data_endpoint: { type: 'char', string: 'Data Endpoint' },
  enabled: { type: 'boolean', string: 'Allowed' },
  css_class: { type: 'char', string: 'CSS class', default: () => 'fa fa-fw fa-sign-in text-primary' },
  body: {
    type: 'char',
    string: 'Login button label',
    required: true,
    translate: true,
    help: 'Link text in Login Dialog',
  },
  sequence: { type: 'integer', string: 'Sequence', default: () => 10 },
};

const extraAuthorizeParams: FieldDef = {
  type: 'text',
  string: 'Extra Authorize Params',
  help: 'Extra Parameters to be passed to Auth endpoint. To be given as JSON. Example: {"param":"value"}',
};

const oidcFork15: Record<string, FieldDef> = {
  flow: {
    type: 'selection',
    string: 'Auth Flow',
    required: true,
    selection: [
      ['access_token', 'OAuth2'],
      ['id_token_code', 'OpenID Connect (authorization code flow)'],
      ['id_token', 'OpenID Connect (implicit flow, not recommended)'],
    ],
    default: () => 'access_token',
  },
  token_map: {
    type: 'char',
    string: 'Token Map',
    help:
      "Some Oauth providers don't map keys in their responses exactly as required.  It is important to ensure user_id " +
      'and email at least are mapped. For OpenID Connect user_id is the sub key in the standard.',
  },
  client_authentication_method: {
    type: 'selection',
    string: 'Client Authentication Method',
    required: true,
    selection: [
      ['client_secret', 'Client Secret'],
      ['private_key_jwt', 'Private Key JWT'],
    ],
    default: () => 'client_secret',
  },
  assertion_type: {
    type: 'selection',
    string: 'Assertion Type',
    selection: [['jwt-bearer', 'JWT Bearer']],
    default: () => 'jwt-bearer',
  },
  client_private_key: { type: 'binary', string: 'Private Key' },
  client_secret: {
    type: 'char',
    string: 'Client Secret',
    help: 'Used in OpenID Connect authorization code flow for confidential clients.',
  },
  code_verifier: { type: 'char', string: 'Code Verifier', help: 'Used for PKCE.', default: () => tokenUrlsafe() },
  token_endpoint: { type: 'char', string: 'Token URL', help: 'Required for OpenID Connect authorization code flow.' },
  jwks_uri: { type: 'char', string: 'JWKS URL', help: 'Required for OpenID Connect.' },
  extra_authorize_params: extraAuthorizeParams,
};

const g2pAuthIdOidc15: Record<string, FieldDef> = {
  g2p_oidc_id_to_use: { type: 'boolean', string: 'Use G2P Reg ID' },
  g2p_id_type: { type: 'many2one', string: 'G2P Registrant ID Type', relation: 'g2p.id.type' },
  partner_creation_call_validate_url: {
    type: 'boolean',
    string: 'Partner Creation Call Validate Url',
    help: 'Whether to call Validation Url for data during Partner Creation',
  },
  partner_creation_validate_response_mapping: {
    type: 'char',
    string: 'Partner Creation Validate Response Mapping',
    help: 'Map Fields from Validation_url response while Partner Creation',
    default: () => 'name:name email:email phone_number:phone_number birthdate:birthdate gender:gender address:address',
  },
  partner_creation_date_format: {
    type: 'char',
    string: 'Partner Creation Date Format',
    help: 'Format of date to be used while Partner Creation',
    default: () => '%Y/%m/%d',
  },
  default_group_user_creation: {
    type: 'many2one',
    string: 'Default Group User Creation',
    relation: 'res.groups',
    help: 'This will be set as default group on user creation',
  },
  login_attribute_mapping_on_user_creation: {
    type: 'char',
    string: 'Login Attribute Mapping On User Creation',
    help: 'Map login attribure from validation response on User Creation',
    default: () => 'email',
  },
};

const portal15: Record<string, FieldDef> = {
  g2p_self_service_allowed: { type: 'boolean', string: 'Allowed in Self Service Portal' },
  g2p_service_provider_allowed: { type: 'boolean', string: 'Allowed in Service Provider Portal' },
  g2p_portal_login_image_icon_url: { type: 'text', string: 'G2P Portal Login Image Icon Url' },
  g2p_portal_oauth_callback_url: { type: 'char', string: 'G2P Portal Oauth Callback Url' },
};

const g2pAuthOidc17: Record<string, FieldDef> = {
  flow: {
    type: 'selection',
    string: 'Auth Flow',
    required: true,
    selection: [
      ['oauth2', 'OAuth2'],
      ['oidc_implicit', 'OpenID Connect Implicit flow'],
      ['oidc_auth_code', 'OpenID Connect Authorization code flow'],
    ],
    default: () => 'oauth2',
  },
  image_icon_url: { type: 'text', string: 'Image Icon Url' },
  token_endpoint: { type: 'char', string: 'Token Endpoint' },
  jwks_uri: { type: 'char', string: 'JWKS URL' },
  jwt_assertion_aud: {
    type: 'char',
    string: 'Client Assertion JWT Aud Claim',
    help: 'Leave blank to use token endpoint for Client Assertion Aud.',
  },
  logout_uri: { type: 'char', string: 'Logout URL', help: 'The URL to redirect to upon logout' },
  client_authentication_method: {
    type: 'selection',
    string: 'Client Authentication Method',
    required: true,
    selection: [
      ['client_secret_basic', 'Client Secret (Basic)'],
      ['client_secret_post', 'Client Secret (Post)'],
      ['private_key_jwt', 'Private Key JWT'],
      ['none', 'None'],
    ],
    default: () => 'client_secret_post',
  },
  client_secret: { type: 'char', string: 'Client Secret' },
  client_private_key: { type: 'binary', string: 'Client Private Key' },
  enable_pkce: { type: 'boolean', string: 'Enable Pkce', default: () => true },
  code_verifier: { type: 'char', string: 'PKCE Code Verifier', default: () => tokenUrlsafe() },
  token_map: {
    type: 'char',
    string: 'Token Map',
    default: () =>
      'sub:user_id name:name email:email phone_number:phone birthdate:birthdate gender:gender address:address picture:picture groups:groups',
  },
  extra_authorize_params: extraAuthorizeParams,
  verify_at_hash: { type: 'boolean', string: 'Verify Access Token Hash', default: () => true },
  date_format: {
    type: 'char',
    string: 'Date Format',
    help: 'Format to be used to parse dates returned by this OIDC Provider',
    default: () => '%Y/%m/%d',
  },
  allow_signup: {
    type: 'selection',
    string: 'Allow Signup',
    selection: [
      ['yes', 'Allows user signup'],
      ['no', 'Denies user signup (invitation only)'],
      ['system_default', 'Use System settings for signup'],
    ],
    default: () => 'yes',
  },
  signup_default_groups: { type: 'many2many', string: 'Signup Default Groups', relation: 'res.groups' },
  sync_user_groups: {
    type: 'selection',
    string: 'Sync User Groups',
    selection: [
      ['on_login', 'On every Login'],
      ['on_reset', 'When user groups are reset'],
      ['never', 'Never'],
    ],
    default: () => 'on_reset',
  },
  company_id: { type: 'many2one', string: 'Company', relation: 'res.company', default: () => 1 },
  g2p_id_type: { type: 'many2one', string: 'G2P Registrant ID Type', relation: 'g2p.id.type' },
  g2p_self_service_allowed: portal15.g2p_self_service_allowed!,
  g2p_service_provider_allowed: portal15.g2p_service_provider_allowed!,
  g2p_portal_oauth_callback_url: portal15.g2p_portal_oauth_callback_url!,
};

/** A fresh copy each call: models keep their own definitions. */
export function providerFields(odooVersion: 15 | 17, openg2p = true): Record<string, FieldDef> {
  // Plain Odoo's auth_oauth requires the userinfo URL; the OIDC layers relax it.
  if (!openg2p)
    return {
      ...structuredCloneFields(base),
      validation_endpoint: { type: 'char', string: 'UserInfo URL', required: true },
    };
  const layers = odooVersion === 15 ? [base, oidcFork15, g2pAuthIdOidc15, portal15] : [base, g2pAuthOidc17];
  return Object.assign({}, ...layers.map((layer) => structuredCloneFields(layer)));
}

function structuredCloneFields(fields: Record<string, FieldDef>): Record<string, FieldDef> {
  return Object.fromEntries(Object.entries(fields).map(([name, field]) => [name, { ...field }]));
}
