// Keycloak's OAuth token endpoint (client-credentials grant), e.g. for e-Signet's
// client-management API, which takes a Bearer token with the right scopes.
import { z } from 'zod';
import { HttpClient, parseResponse, type HttpOptions } from './http.js';

const tokenResponse = z.object({
  access_token: z.string().min(1),
  expires_in: z.number(),
  token_type: z.string(),
  scope: z.string().optional(),
});

const oauthError = z.object({ error: z.string(), error_description: z.string().optional() });

/** `tokenUrl` is the full endpoint, e.g. `https://iam.example/auth/realms/mosip/protocol/openid-connect/token`. */
export async function clientCredentialsToken(
  tokenUrl: string,
  clientId: string,
  clientSecret: string,
  opts?: HttpOptions,
): Promise<{ accessToken: string; expiresInSeconds: number; scope: string }> {
  const http = new HttpClient('keycloak', tokenUrl, opts);
  const endpoint = 'POST token (client_credentials)';
  const res = await http.send('', {
    method: 'POST',
    form: { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret },
  });
  http.failOnTransientStatus(res, endpoint);
  if (res.status !== 200) {
    const error = oauthError.safeParse(safeJson(res.text));
    if (error.success) {
      throw http.rejection(
        error.data.error,
        `${endpoint}: ${error.data.error_description ?? error.data.error}`,
        res.status,
      );
    }
    throw http.rejection(`HTTP_${res.status}`, `${endpoint}: refused with HTTP ${res.status}`, res.status);
  }
  const token = parseResponse('keycloak', endpoint, tokenResponse, http.parseJson(res, endpoint));
  if (token.token_type.toLowerCase() !== 'bearer') {
    throw http.rejection(
      'unsupported_token_type',
      `${endpoint}: token_type ${token.token_type}, expected Bearer`,
      res.status,
    );
  }
  return { accessToken: token.access_token, expiresInSeconds: token.expires_in, scope: token.scope ?? '' };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
