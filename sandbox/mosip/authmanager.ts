// kernel authmanager login (mosip-openid-bridge 1.2.0.x) and the Keycloak token endpoint of
// realm `mosip`, both backed by the sandbox realm.
import { randomBytes } from 'node:crypto';
import type { Realm } from '../realm.js';
import { json, type Route, type SandboxRequest, type SandboxResponse } from '../router.js';
import { kernelError, kernelSuccess, str, type EnvelopeIds } from './envelope.js';

interface LoginRequest {
  ids: EnvelopeIds;
  request: Record<string, unknown>;
}

/**
 * authmanager's RequestWrapper binds `requesttime` as a plain LocalDateTime (lenient ISO) and
 * answers unreadable bodies and a missing `request` with HTTP 200 KER-ATH-019.
 */
function readLogin(req: SandboxRequest): LoginRequest | SandboxResponse {
  const body = req.json as Record<string, unknown> | undefined;
  if (req.malformedJson || (body !== undefined && (typeof body !== 'object' || body === null || Array.isArray(body)))) {
    return kernelError(null, 'KER-ATH-019', 'JSON parse error: request body is not a JSON object');
  }
  const ids: EnvelopeIds = { id: body?.id ?? null, version: body?.version ?? null };
  const time = body?.requesttime;
  if (time !== undefined && time !== null && (typeof time !== 'string' || Number.isNaN(Date.parse(time)))) {
    return kernelError(
      ids,
      'KER-ATH-019',
      `JSON parse error: Cannot deserialize value of type \`java.time.LocalDateTime\` from String "${String(time)}"`,
    );
  }
  const request = body?.request;
  if (typeof request !== 'object' || request === null || Array.isArray(request)) {
    return kernelError(ids, 'KER-ATH-019', 'request must not be null');
  }
  return { ids, request: request as Record<string, unknown> };
}

function loginRoutes(realm: Realm): Route[] {
  return [
    {
      method: 'POST',
      path: '/v1/authmanager/authenticate/internal/useridPwd',
      handler: async (req) => {
        const login = readLogin(req);
        if ('status' in login) return login;
        const r = login.request;
        const token = await realm.passwordGrant(
          str(r, 'userName'),
          str(r, 'password'),
          str(r, 'clientId'),
          str(r, 'clientSecret'),
        );
        // Keycloak's 401 becomes KER-ATH-023 inside an HTTP 200.
        if (!token) return kernelError(login.ids, 'KER-ATH-023', 'Invalid Credentials');
        return kernelSuccess(login.ids, {
          token,
          message: 'Username and password combination had been validated successfully',
          refreshToken: randomBytes(32).toString('base64url'),
          expiryTime: realm.tokenLifetimeSeconds,
          userId: null,
          // Observed on a running 1.2.0.1 authmanager: lower case (clientidsecretkey keeps `Success`).
          status: 'success',
          refreshExpiryTime: realm.tokenLifetimeSeconds,
        });
      },
    },
    {
      method: 'POST',
      path: '/v1/authmanager/authenticate/clientidsecretkey',
      handler: async (req) => {
        const login = readLogin(req);
        if ('status' in login) return login;
        const r = login.request;
        const token = await realm.clientCredentialsGrant(str(r, 'clientId'), str(r, 'secretKey'));
        if (!token) {
          // The Keycloak 401 is not caught in 1.2.0.x: the generic handler answers HTTP 500.
          const keycloak = '[{"error":"unauthorized_client","error_description":"Invalid client secret"}]';
          return kernelError(login.ids, '500', `401 Unauthorized: ${keycloak}`, 500);
        }
        // The token travels only in the cookie and the Authorization header, never in the body.
        return kernelSuccess(
          login.ids,
          { status: 'Success', message: 'Clientid and Token combination had been validated successfully' },
          {
            'set-cookie': `Authorization=${token}; Max-Age=${realm.tokenLifetimeSeconds}; Path=/; HttpOnly`,
            authorization: token,
          },
        );
      },
    },
  ];
}

const oauthError = (status: number, error: string, description: string): SandboxResponse =>
  json({ error, error_description: description }, status, { 'cache-control': 'no-store' });

/** Client authentication as Keycloak accepts it: form fields or HTTP Basic. */
function clientCredentials(req: SandboxRequest): { clientId: string; clientSecret: string } {
  const basic = /^Basic\s+(.+)$/i.exec(String(req.headers.authorization ?? ''));
  if (basic) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return {
      clientId: decodeURIComponent(decoded.slice(0, colon)),
      clientSecret: decodeURIComponent(decoded.slice(colon + 1)),
    };
  }
  return { clientId: req.form.get('client_id') ?? '', clientSecret: req.form.get('client_secret') ?? '' };
}

function keycloakRoutes(realm: Realm): Route[] {
  return [
    {
      method: 'POST',
      path: '/auth/realms/mosip/protocol/openid-connect/token',
      handler: async (req) => {
        const grantType = req.form.get('grant_type');
        if (!grantType) return oauthError(400, 'invalid_request', 'Missing form parameter: grant_type');
        const { clientId, clientSecret } = clientCredentials(req);
        const client = realm.clients.get(clientId);
        if (!client || client.secret !== clientSecret) {
          return oauthError(401, 'invalid_client', 'Invalid client or Invalid client credentials');
        }
        let token: string | undefined;
        if (grantType === 'client_credentials') {
          token = await realm.clientCredentialsGrant(clientId, clientSecret);
        } else if (grantType === 'password') {
          token = await realm.passwordGrant(
            req.form.get('username') ?? '',
            req.form.get('password') ?? '',
            clientId,
            clientSecret,
          );
          if (!token) return oauthError(401, 'invalid_grant', 'Invalid user credentials');
        } else {
          return oauthError(400, 'unsupported_grant_type', 'Unsupported grant_type');
        }
        const claims = await realm.verify(token);
        return json(
          {
            access_token: token,
            expires_in: realm.tokenLifetimeSeconds,
            refresh_expires_in: 0,
            token_type: 'Bearer',
            'not-before-policy': 0,
            scope: claims?.scope ?? '',
          },
          200,
          { 'cache-control': 'no-store', pragma: 'no-cache' },
        );
      },
    },
  ];
}

export function authRoutes(realm: Realm): Route[] {
  return [...loginRoutes(realm), ...keycloakRoutes(realm)];
}
