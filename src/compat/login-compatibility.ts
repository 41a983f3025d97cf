// Which OpenG2P OIDC stacks can complete a private_key_jwt login with which e-Signet releases,
// as data read from the sources (each row names them). verifyPrerequisites checks the versions
// it detects against this table before anything is created; README, "Login compatibility".
import { describeRange, inRange, type VersionRange } from './versions.js';

/** `source`: read in the named code (or observed on a running server); `inferred`: reasoned, not read. */
export type Evidence = 'source' | 'inferred';

/** An installed Odoo module the row depends on, by technical name and installed version. */
export interface ModuleCondition {
  name: string;
  range: VersionRange;
}

export interface LoginCompatibilityRow {
  id: string;
  /** OpenG2P generation: 15 = OpenG2P 1.x (auth_oidc fork + g2p_auth_id_oidc), 17 = 1.2+ (g2p_auth_oidc). */
  generations: (15 | 17)[];
  esignet: VersionRange;
  /** Every module condition must hold (an absent module fails its condition). */
  modules?: ModuleCondition[];
  verdict: 'compatible' | 'incompatible';
  /** What happens at login, in the words of the systems involved. */
  reason: string;
  /** The setting or upgrade that makes an incompatible pair work (or keeps a compatible one so). */
  fix: string;
  evidence: Evidence;
  /** Where it was read: repository, release and file. */
  source: string;
}

const NO_JTI_FIX =
  'no e-Signet setting turns the jti check off (mosip.esignet.client-assertion.unique.jti.required only adds replay ' +
  'detection): run e-Signet 1.5.x for this OpenG2P, or install an OpenG2P OIDC module that adds a jti claim to its ' +
  'client assertion (none released up to g2p_auth_oidc 17.0.1.4.0 / auth_oidc 15.0.1.1.0)';

/**
 * Incompatible rows come first: a pair is judged by every row that matches it, and one matching
 * incompatible row is enough to fail it.
 */
export const LOGIN_COMPATIBILITY: readonly LoginCompatibilityRow[] = [
  {
    id: 'esignet-1.6-requires-assertion-jti',
    generations: [15, 17],
    esignet: { from: '1.6.0' },
    verdict: 'incompatible',
    reason:
      'e-Signet 1.6.0 and later refuse a client assertion without a jti claim (token endpoint HTTP 400: ' +
      'invalid_assertion on 1.6.x, invalid_client on 1.7+), and OpenG2P signs its assertion with iss, sub, aud, iat ' +
      'and exp only; its callback then ends in oauth_error=2',
    fix: NO_JTI_FIX,
    evidence: 'source',
    source:
      'mosip/esignet v1.6.0 oidc-service-impl/src/main/java/io/mosip/esignet/services/TokenServiceImpl.java ' +
      '(REQUIRED_CLIENT_ASSERTION_CLAIMS adds "jti"; v1.5.1 does not), v1.7.0–v1.8.0 same file ' +
      '(JwtClaimValidator on JTI, unconditional); OpenG2P/server-auth@15.0 auth_oidc/models/res_users.py ' +
      'create_private_key_jwt; OpenG2P/openg2p-registry@17.0-1.4 g2p_auth_oidc/models/auth_oauth_provider.py ' +
      'oidc_create_private_key_jwt; observed on e-Signet 1.7.1 (shared/reference/esignet.md)',
  },
  {
    id: 'esignet-1.7-signs-ps256',
    generations: [15, 17],
    esignet: { from: '1.7.0' },
    verdict: 'incompatible',
    reason:
      'e-Signet 1.7.0 and later sign id_token and access token with PS256, and OpenG2P verifies them with python-jose, ' +
      'whose RSA signature algorithms are RS256, RS384 and RS512 only (OpenG2P 1.x also asks for RS256 alone)',
    fix:
      'no e-Signet setting brings RS256 back: 1.7+ signs through keymanager jwsSign without an algorithm, and ' +
      'keymanager defaults to PS256 (mosip.kernel.crypto.sign-algorithm-name no longer applies); run e-Signet 1.5.x ' +
      'for this OpenG2P, or an OpenG2P OIDC module that verifies PS256',
    evidence: 'source',
    source:
      'mosip/esignet v1.7.0 TokenServiceImpl.getSignedJWT (signatureService.jwsSign, no signAlgorithm; v1.6.2 uses ' +
      'jwtSign with mosip.kernel.crypto.sign-algorithm-name=RS256); mosip/keymanager v1.2.1.0 and v1.3.0 ' +
      'SignatureServiceImpl.jwsSign (default JWS_PS256_SIGN_ALGO_CONST); mpdavis/python-jose 3.3.0 and 3.5.0 ' +
      'jose/constants.py (RSA_DS = RS256, RS384, RS512); OpenG2P/server-auth@15.0 auth_oidc _decode_id_token ' +
      '(algorithms=["RS256"]); observed on e-Signet 1.7.1 (shared/reference/esignet.md)',
  },
  {
    id: 'g2p-auth-id-oidc-15.0.1.1.0-with-auth-oidc-15.0.1.1.0',
    generations: [15],
    esignet: {},
    modules: [
      { name: 'g2p_auth_id_oidc', range: { from: '15.0.1.1.0', below: '15.0.1.2.0' } },
      { name: 'auth_oidc', range: { from: '15.0.1.1.0' } },
    ],
    verdict: 'incompatible',
    reason:
      "g2p_auth_id_oidc 15.0.1.1.0 overrides _parse_id_token and calls auth_oidc's _get_key, which auth_oidc " +
      '15.0.1.1.0 renamed _get_keys: every id_token login ends in AttributeError, oauth_error=1, after a successful ' +
      'token exchange',
    fix:
      'upgrade g2p_auth_id_oidc to 15.0.1.2.0 (OpenG2P/openg2p-auth branch 15.0-develop, which no longer overrides ' +
      '_parse_id_token), or install auth_oidc 15.0.1.0.1 (OpenG2P/server-auth 15.0 before the 2024-02-25 merge ' +
      '1b99f340); then `g2p-onboard retry`',
    evidence: 'source',
    source:
      'OpenG2P/openg2p-auth@15.0-1.1.0 g2p_auth_id_oidc/models/g2p_auth_id_oidc_provider.py (_parse_id_token → ' +
      'self._get_key); OpenG2P/server-auth@15.0 auth_oidc/models/auth_oauth_provider.py (_get_keys, manifest ' +
      '15.0.1.1.0; _get_key at 15.0.1.0.1, commit 1b99f340^1); odoo auth_oauth controllers/main.py ' +
      '(AttributeError → oauth_error=1)',
  },
  {
    id: 'openg2p-1.x-with-esignet-before-1.6',
    generations: [15],
    esignet: { below: '1.6.0' },
    verdict: 'compatible',
    reason:
      'e-Signet before 1.6.0 verifies an RS256 assertion with iss, sub, aud, exp and iat (no jti) and signs tokens ' +
      "with mosip.kernel.crypto.sign-algorithm-name (RS256 by default), which auth_oidc's RS256 check accepts",
    fix: "keep e-Signet's mosip.kernel.crypto.sign-algorithm-name at RS256",
    evidence: 'source',
    source:
      'mosip/esignet v1.4.1 and v1.5.1 TokenServiceImpl.java (Nimbus JWSVerificationKeySelector RS256, ' +
      'REQUIRED_CLIENT_ASSERTION_CLAIMS without jti, signatureService.jwtSign); application-default.properties ' +
      '(mosip.kernel.crypto.sign-algorithm-name=RS256); full login observed on e-Signet 1.4.1',
  },
  {
    id: 'openg2p-1.2-with-esignet-before-1.6',
    generations: [17],
    esignet: { below: '1.6.0' },
    verdict: 'compatible',
    reason:
      'e-Signet before 1.6.0 accepts the assertion g2p_auth_oidc signs (RS256, no jti) and signs RS256 tokens, ' +
      'which python-jose verifies; the userinfo JWT is read without a signature check',
    fix: "keep e-Signet's mosip.kernel.crypto.sign-algorithm-name at RS256",
    evidence: 'source',
    source:
      'mosip/esignet v1.5.1 TokenServiceImpl.java; OpenG2P/openg2p-registry@17.0-1.4 ' +
      'g2p_auth_oidc/models/auth_oauth_provider.py (oidc_create_private_key_jwt, verify_access_token, ' +
      'verify_id_token: jwt.decode without algorithms)',
  },
];

export interface DetectedStack {
  esignetVersion: string;
  generation: 15 | 17;
  /** Installed modules by technical name → installed version. */
  modules: Record<string, string>;
}

export interface CompatibilityAssessment {
  verdict: 'compatible' | 'incompatible' | 'unknown';
  /** The rows that decided it: the matching incompatible rows, else the matching compatible one. */
  rows: LoginCompatibilityRow[];
}

function matches(row: LoginCompatibilityRow, stack: DetectedStack): boolean {
  if (!row.generations.includes(stack.generation)) return false;
  if (!inRange(stack.esignetVersion, row.esignet)) return false;
  return (row.modules ?? []).every((m) => {
    const installed = stack.modules[m.name];
    return installed !== undefined && inRange(installed, m.range);
  });
}

/** Judges a detected pair by the table. */
export function assessLoginCompatibility(
  stack: DetectedStack,
  table: readonly LoginCompatibilityRow[] = LOGIN_COMPATIBILITY,
): CompatibilityAssessment {
  const matching = table.filter((row) => matches(row, stack));
  const incompatible = matching.filter((row) => row.verdict === 'incompatible');
  if (incompatible.length) return { verdict: 'incompatible', rows: incompatible };
  const compatible = matching.find((row) => row.verdict === 'compatible');
  return compatible ? { verdict: 'compatible', rows: [compatible] } : { verdict: 'unknown', rows: [] };
}

/** One line per row, for messages: `<id> (e-Signet <range>): <reason>`. */
export function describeRow(row: LoginCompatibilityRow): string {
  const modules = (row.modules ?? []).map((m) => `${m.name} ${describeRange(m.range)}`).join(', ');
  return `${row.id} (e-Signet ${describeRange(row.esignet)}${modules ? `; ${modules}` : ''}): ${row.reason}`;
}
