// TokenServiceImpl.verifyClientAssertionToken: the private_key_jwt client assertion, verified with
// the JWK the client registered. ≤ 1.6.x used Nimbus' DefaultJWTClaimsVerifier (exact audience, no
// clock skew; jti required from 1.6.0); 1.7.0 uses Spring's validators (token endpoint or issuer,
// 5 s skew, jti required and accepted once).
import { compactVerify, decodeProtectedHeader, importJWK, type JWK } from 'jose';
import { assertionAlgorithms } from './discovery.js';
import type { EsignetClientRecord, EsignetState } from './state.js';

const LEEWAY_170_SECONDS = 5;

/** Nimbus' JWKMatcher.forJWSHeader: key type, `use`, `alg` and `kid` of the registered JWK must fit the header. */
function keyFitsHeader(key: Record<string, unknown>, alg: string, kid: unknown): boolean {
  const wantedKty = alg.startsWith('ES') ? 'EC' : 'RSA';
  if (key['kty'] !== undefined && key['kty'] !== wantedKty) return false;
  if (wantedKty === 'RSA' && typeof key['n'] !== 'string') return false;
  if (key['use'] !== undefined && key['use'] !== 'sig') return false;
  if (key['alg'] !== undefined && key['alg'] !== alg) return false;
  return kid === undefined || key['kid'] === kid;
}

async function verifiedClaims(
  key: Record<string, unknown>,
  assertion: string,
  algorithms: string[],
): Promise<Record<string, unknown> | undefined> {
  try {
    const header = decodeProtectedHeader(assertion);
    const alg = header.alg;
    if (!alg || !algorithms.includes(alg) || !keyFitsHeader(key, alg, header.kid)) return undefined;
    const publicKey = await importJWK(
      key['kty'] === 'EC'
        ? ({ kty: 'EC', crv: key['crv'], x: key['x'], y: key['y'] } as JWK)
        : ({ kty: 'RSA', n: key['n'], e: key['e'] } as JWK),
      alg,
    );
    const { payload } = await compactVerify(assertion, publicKey, { algorithms: [alg] });
    const claims: unknown = JSON.parse(new TextDecoder().decode(payload));
    return typeof claims === 'object' && claims !== null && !Array.isArray(claims)
      ? (claims as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const audiences = (aud: unknown): string[] | undefined =>
  typeof aud === 'string' ? [aud] : Array.isArray(aud) && aud.every((a) => typeof a === 'string') ? aud : undefined;

function claimsValid141(
  claims: Record<string, unknown>,
  clientId: string,
  audience: string,
  nowSeconds: number,
): boolean {
  if (!['sub', 'aud', 'exp', 'iss', 'iat'].every((c) => claims[c] !== undefined && claims[c] !== null)) return false;
  if (claims['iss'] !== clientId || claims['sub'] !== clientId) return false;
  const aud = audiences(claims['aud']);
  if (!aud || aud.length !== 1 || aud[0] !== audience) return false;
  if (!isNumber(claims['exp']) || !isNumber(claims['iat'])) return false;
  if (claims['exp'] <= nowSeconds) return false;
  return claims['nbf'] === undefined || (isNumber(claims['nbf']) && claims['nbf'] <= nowSeconds);
}

function claimsValid170(
  claims: Record<string, unknown>,
  clientId: string,
  audience: string,
  issuer: string,
  nowSeconds: number,
): boolean {
  if (claims['iss'] !== clientId || claims['sub'] !== clientId) return false;
  if (!isNumber(claims['iat']) || !isNumber(claims['exp'])) return false;
  if (nowSeconds - LEEWAY_170_SECONDS > claims['exp']) return false;
  if (claims['nbf'] !== undefined && (!isNumber(claims['nbf']) || nowSeconds + LEEWAY_170_SECONDS < claims['nbf']))
    return false;
  const aud = audiences(claims['aud']);
  if (!aud || !aud.some((a) => a === audience || a === issuer)) return false;
  return typeof claims['jti'] === 'string' && claims['jti'].trim() !== '';
}

/** True when the assertion authenticates the client for `audience` (the endpoint it was sent to). */
export async function verifyClientAssertion(
  state: EsignetState,
  client: EsignetClientRecord,
  assertion: string,
  audience: string,
): Promise<boolean> {
  const claims = await verifiedClaims(client.publicKey, assertion, assertionAlgorithms(state.version));
  if (!claims) return false;
  const nowSeconds = Date.now() / 1000;
  if (state.version === '1.4.1') {
    // 1.6.x adds jti to Nimbus' required claims (present, not de-duplicated).
    if (state.assertionJtiRequired && (claims['jti'] === undefined || claims['jti'] === null)) return false;
    return claimsValid141(claims, client.clientId, audience, nowSeconds);
  }
  if (!claimsValid170(claims, client.clientId, audience, state.domain, nowSeconds)) return false;
  const jti = claims['jti'] as string;
  if (state.usedJtis.has(jti)) return false;
  state.usedJtis.add(jti);
  return true;
}
