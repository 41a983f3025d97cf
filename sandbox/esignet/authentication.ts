// The transaction steps after oauth-details: send-otp, authenticate and auth-code, each behind the
// CSRF check and the oauth-details-key / oauth-details-hash header filter.
import { randomBytes } from 'node:crypto';
import type { Route, SandboxRequest, SandboxResponse } from '../router.js';
import { acrFactors } from './discovery.js';
import { asString as str, businessError, fieldError, readWrapper, success, type EsignetError } from './envelope.js';
import { mockIdentity, pairwiseSubject } from './identity.js';
import { csrfRefusal } from './oidc-flow.js';
import { SERVLET_PATH, type EsignetState, type OidcTransaction } from './state.js';

/** `mosip.esignet.send-otp.attempts` / `authenticate.attempts`. */
const MAX_ATTEMPTS = 3;
const OTP_CHANNELS = ['email', 'phone'];
/** Lifetime of the `authcodegenerated` cache: 60 s in 1.4.1's config, 300 s in 1.7.0's defaults. */
const codeTtlMs = (state: EsignetState) => (state.version === '1.7.0' ? 300_000 : 60_000);

const blank = (v: unknown) => !str(v)?.trim();

type Phase = OidcTransaction['phase'];

/**
 * HeaderValidationFilter: the transaction named by `oauth-details-key` must be in the expected cache and
 * `oauth-details-hash` must equal the hash of its oauth-details response. Refusals are HTTP 200 envelopes.
 */
function headerFilter(state: EsignetState, req: SandboxRequest, phase: Phase): OidcTransaction | SandboxResponse {
  const key = req.headers['oauth-details-key'];
  const transaction = typeof key === 'string' ? state.transactions.get(key) : undefined;
  if (!transaction || transaction.phase !== phase) return businessError('invalid_transaction');
  if (req.headers['oauth-details-hash'] !== transaction.oauthDetailsHash) return businessError('invalid_request');
  return transaction;
}

function guard(state: EsignetState, req: SandboxRequest, phase: Phase): OidcTransaction | SandboxResponse {
  return csrfRefusal(req) ?? headerFilter(state, req, phase);
}

const isResponse = (v: OidcTransaction | SandboxResponse): v is SandboxResponse => 'status' in v;

function inPhase(state: EsignetState, transactionId: unknown, phase: Phase): OidcTransaction | undefined {
  const transaction = state.transactions.get(String(transactionId));
  return transaction?.phase === phase ? transaction : undefined;
}

function sendOtp(state: EsignetState, req: SandboxRequest): SandboxResponse {
  const guarded = guard(state, req, 'pre-auth');
  if (isResponse(guarded)) return guarded;
  if (++guarded.sendOtpAttempts > MAX_ATTEMPTS) return businessError('no_attempts_left');
  const body = readWrapper(req, (r) => {
    const errors: EsignetError[] = [];
    if (blank(r['transactionId'])) errors.push(fieldError('request.transactionId', 'invalid_transaction_id'));
    if (blank(r['individualId'])) errors.push(fieldError('request.individualId', 'invalid_identifier'));
    const channels = r['otpChannels'];
    if (!Array.isArray(channels) || channels.length === 0)
      errors.push(fieldError('request.otpChannels', 'invalid_otp_channel'));
    else
      channels.forEach(
        (c, i) =>
          !OTP_CHANNELS.includes(String(c)) &&
          errors.push(fieldError(`request.otpChannels[${i}]`, 'invalid_otp_channel')),
      );
    return errors;
  });
  if (!body.ok) return body.response;
  const transaction = inPhase(state, body.request['transactionId'], 'pre-auth');
  if (!transaction) return businessError('invalid_transaction');
  const identity = mockIdentity(state.ctx);
  if (str(body.request['individualId']) !== identity.individualId) return businessError('send_otp_failed');
  transaction.otpSent = true;
  return success({
    transactionId: transaction.transactionId,
    maskedEmail: identity.maskedEmail,
    maskedMobile: identity.maskedMobile,
  });
}

function validateChallenges(r: Record<string, unknown>): EsignetError[] {
  const errors: EsignetError[] = [];
  if (blank(r['transactionId'])) errors.push(fieldError('request.transactionId', 'invalid_transaction_id'));
  if (blank(r['individualId'])) errors.push(fieldError('request.individualId', 'invalid_identifier'));
  const list = r['challengeList'];
  if (!Array.isArray(list) || list.length < 1 || list.length > 5) {
    errors.push(fieldError('request.challengeList', 'invalid_no_of_challenges'));
    return errors;
  }
  list.forEach((item, i) => {
    const c = (item ?? {}) as Record<string, unknown>;
    const at = `request.challengeList[${i}]`;
    if (blank(c['authFactorType'])) errors.push(fieldError(`${at}.authFactorType`, 'invalid_auth_factor_type'));
    if (blank(c['challenge'])) errors.push(fieldError(`${at}.challenge`, 'invalid_challenge'));
    if (blank(c['format'])) errors.push(fieldError(`${at}.format`, 'invalid_challenge_format'));
  });
  return errors;
}

function authenticate(state: EsignetState, req: SandboxRequest, version: 'v1' | 'v2'): SandboxResponse {
  const guarded = guard(state, req, 'pre-auth');
  if (isResponse(guarded)) return guarded;
  if (++guarded.authenticateAttempts > MAX_ATTEMPTS) return businessError('no_attempts_left');
  const body = readWrapper(req, validateChallenges);
  if (!body.ok) return body.response;
  const transaction = inPhase(state, body.request['transactionId'], 'pre-auth');
  if (!transaction) return businessError('invalid_transaction');
  const challenges = body.request['challengeList'] as Record<string, unknown>[];
  const provided = challenges.map((c) => String(c['authFactorType']));
  // Some resolved factor set must be fully covered by the provided challenges.
  const satisfied = transaction.authFactors.filter((set) => set.every((f) => provided.includes(f.type)));
  if (!satisfied.length) return businessError('auth_factor_mismatch');
  const identity = mockIdentity(state.ctx);
  const individualId = str(body.request['individualId']);
  // The identity system checks an OTP against the one it sent for this transaction: send-otp comes first (observed).
  const otpOk =
    transaction.otpSent === true &&
    challenges.every((c) => c['authFactorType'] === 'OTP' && str(c['challenge']) === identity.otp);
  if (individualId !== identity.individualId || !otpOk) return businessError('auth_failed');
  const factors = acrFactors(state.version);
  const satisfiedTypes = new Set(satisfied.flat().map((f) => f.type));
  Object.assign(transaction, {
    phase: 'authenticated',
    individualId,
    subject: pairwiseSubject(individualId, transaction.relyingPartyId),
    authTimeSeconds: Math.floor(Date.now() / 1000),
    providedAcrs: transaction.acrs.filter((acr) => satisfiedTypes.has(factors[acr] ?? '')),
  } satisfies Partial<OidcTransaction>);
  const response =
    version === 'v1'
      ? { transactionId: transaction.transactionId }
      : { transactionId: transaction.transactionId, consentAction: 'CAPTURE' };
  return success(response);
}

function authCode(state: EsignetState, req: SandboxRequest): SandboxResponse {
  const guarded = guard(state, req, 'authenticated');
  if (isResponse(guarded)) return guarded;
  const body = readWrapper(req, (r) => {
    const errors: EsignetError[] = [];
    if (blank(r['transactionId'])) errors.push(fieldError('request.transactionId', 'invalid_transaction_id'));
    for (const [field, code] of [
      ['acceptedClaims', 'invalid_accepted_claim'],
      ['permittedAuthorizeScopes', 'invalid_permitted_scope'],
    ] as const) {
      const list = r[field];
      if (Array.isArray(list))
        list.forEach((v, i) => blank(v) && errors.push(fieldError(`request.${field}[${i}]`, code)));
    }
    return errors;
  });
  if (!body.ok) return body.response;
  const transaction = inPhase(state, body.request['transactionId'], 'authenticated');
  if (!transaction) return businessError('invalid_transaction');
  const acceptedClaims = ((body.request['acceptedClaims'] as unknown[] | undefined) ?? []).map(String);
  const permittedScopes = ((body.request['permittedAuthorizeScopes'] as unknown[] | undefined) ?? []).map(String);
  const requestedClaims = [...transaction.essentialClaims, ...transaction.voluntaryClaims];
  if (!acceptedClaims.every((c) => requestedClaims.includes(c))) return businessError('invalid_accepted_claim');
  if (!permittedScopes.every((s) => transaction.authorizeScopes.includes(s)))
    return businessError('invalid_permitted_scope');
  transaction.acceptedClaims = acceptedClaims;
  transaction.permittedScopes = permittedScopes;
  const code = randomBytes(32).toString('base64url');
  state.transactions.delete(transaction.transactionId);
  state.codes.set(code, { transaction, expiresAt: Date.now() + codeTtlMs(state) });
  return success({
    code,
    redirectUri: transaction.redirectUri,
    state: transaction.state ?? null,
    nonce: transaction.nonce ?? null,
  });
}

export function authenticationRoutes(state: EsignetState): Route[] {
  const at = (p: string) => `${SERVLET_PATH}/authorization/${p}`;
  return [
    { method: 'POST', path: at('send-otp'), handler: (req) => sendOtp(state, req) },
    { method: 'POST', path: at('authenticate'), handler: (req) => authenticate(state, req, 'v1') },
    { method: 'POST', path: at('v2/authenticate'), handler: (req) => authenticate(state, req, 'v2') },
    { method: 'POST', path: at('auth-code'), handler: (req) => authCode(state, req) },
  ];
}
