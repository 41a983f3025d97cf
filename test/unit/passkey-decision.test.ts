// Passkey decisions as the workflow's validator judges them, without a browser: an authenticator
// simulated with node:crypto signs authenticatorData || SHA-256(clientDataJSON) the way WebAuthn
// does, and every way a carried or altered assertion differs from what the approver's passkey
// signed is refused with a reason a person can act on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { verifyPasskeyDecision, type VerifyContext } from '../../src/approvals/decision.js';
import type { PasskeyAssertion, TrustedPasskey } from '../../src/approvals/passkey.js';
import { coseToJwk, jwkToCose } from '../../src/approvals/cose.js';
import { parseWorkerPolicy } from '../../src/security/worker-policy.js';
import { assertion, authenticator, b64, ORIGIN, RID, RP_ID, WID } from '../helpers/passkeys.js';

function context(passkey: TrustedPasskey, extra: Partial<VerifyContext> = {}): VerifyContext {
  return {
    workflowId: WID,
    firstRunId: RID,
    nowMs: Date.now(),
    maxAgeMs: 5 * 60_000,
    approvers: [],
    usedNonces: new Set(),
    passkeyHolders: [{ name: 'alice', passkeys: [passkey] }],
    ...extra,
  };
}

const reason = (v: ReturnType<typeof verifyPasskeyDecision>) => (v.ok ? 'accepted' : v.reason);

test("a decision signed with the approver's passkey (P-256 or Ed25519) is accepted with its counter", () => {
  for (const kind of ['ec', 'ed25519'] as const) {
    const { privateKey, passkey } = authenticator(kind);
    const checked = verifyPasskeyDecision(assertion(privateKey, passkey, {}, { counter: 9 }), context(passkey));
    assert.ok(checked.ok, reason(checked));
    assert.equal(checked.signer.name, 'alice');
    assert.equal(checked.passkey?.counter, 9);
    assert.equal(checked.signer.thumbprint, passkey.thumbprint);
  }
});

test('a passkey assertion altered, carried elsewhere or signed without the user is refused, each with its reason', () => {
  const { privateKey, passkey } = authenticator();
  const other = authenticator();
  const signedElsewhere = assertion(other.privateKey, other.passkey);
  const cases: [string, PasskeyAssertion, RegExp, Partial<VerifyContext>?][] = [
    [
      'a comment changed after signing',
      assertion(privateKey, passkey, {}, { carried: JSON.stringify({ wid: WID, approver: 'alice' }) }),
      /another decision/,
    ],
    ['used on another page', assertion(privateKey, passkey, {}, { origin: 'https://evil.example' }), /evil\.example/],
    ['for another relying party', assertion(privateKey, passkey, {}, { rpId: 'evil.example' }), /relying party/],
    ['without user verification', assertion(privateKey, passkey, {}, { flags: 0x01 }), /verify the user/],
    ['without user presence', assertion(privateKey, passkey, {}, { flags: 0x04 }), /present/],
    ['an enrollment, not an assertion', assertion(privateKey, passkey, {}, { type: 'webauthn.create' }), /assertion/],
    [
      'signed by a key the registry does not hold',
      { ...signedElsewhere, credentialId: passkey.credentialId },
      /does not verify/,
    ],
    ['an unknown credential', signedElsewhere, /holds no passkey/],
    ['for another run', assertion(privateKey, passkey, { rid: 'other-run' }), /another run/],
    ['stale', assertion(privateKey, passkey, { iat: Math.floor(Date.now() / 1000) - 3600 }), /stale/],
    [
      'by someone not an approver',
      assertion(privateKey, passkey, { approver: 'mallory' }),
      /mallory is not an approver/,
    ],
    [
      'with a counter that did not go up',
      assertion(privateKey, passkey, {}, { counter: 5 }),
      /counter/,
      { passkeyCounters: { [passkey.credentialId]: 5 } },
    ],
  ];
  for (const [what, a, expected, extra] of cases) {
    const checked = verifyPasskeyDecision(a, context(passkey, extra));
    assert.match(reason(checked), expected, what);
  }
  const replayed = assertion(privateKey, passkey, { nonce: 'n'.repeat(22) });
  assert.match(
    reason(verifyPasskeyDecision(replayed, context(passkey, { usedNonces: new Set(['n'.repeat(22)]) }))),
    /already used/,
  );
  assert.match(reason(verifyPasskeyDecision({ payload: 'x' } as PasskeyAssertion, context(passkey))), /must carry/);
});

test('an authenticator that keeps no counter (always 0) may decide', () => {
  const { privateKey, passkey } = authenticator();
  const checked = verifyPasskeyDecision(assertion(privateKey, passkey, {}, { counter: 0 }), context(passkey));
  assert.ok(checked.ok, reason(checked));
});

test('passkey keys read the same as COSE or as JWK in the registry', () => {
  for (const kind of ['ec', 'ed25519'] as const) {
    const { passkey } = authenticator(kind);
    assert.deepEqual(coseToJwk(jwkToCose(passkey.publicKey)), passkey.publicKey);
    const entry = (publicKey: unknown) => ({
      secretsDir: '/tmp',
      identities: [
        {
          name: 'alice',
          roles: ['approver'],
          webauthn: [{ credentialId: passkey.credentialId, publicKey, rpId: RP_ID, origins: [ORIGIN] }],
        },
      ],
    });
    const fromCose = parseWorkerPolicy(entry(b64(Buffer.from(jwkToCose(passkey.publicKey)))), '/tmp/policy.yaml');
    const fromJwk = parseWorkerPolicy(entry(passkey.publicKey), '/tmp/policy.yaml');
    assert.deepEqual(fromCose.identities[0]!.passkeys, [passkey]);
    assert.deepEqual(fromJwk.identities[0]!.passkeys, [passkey]);
    assert.equal(fromJwk.identities[0]!.publicKey, undefined, 'an approver may decide with passkeys alone');
  }
});

test('the registry refuses passkey entries that could not work or would let others act', () => {
  const { passkey } = authenticator();
  const policy =
    (webauthn: unknown, roles = ['approver']) =>
    () =>
      parseWorkerPolicy(
        { secretsDir: '/tmp', identities: [{ name: 'alice', roles, webauthn: [webauthn] }] },
        '/tmp/p.yaml',
      );
  const good = { credentialId: passkey.credentialId, publicKey: passkey.publicKey, rpId: RP_ID, origins: [ORIGIN] };
  assert.throws(policy({ ...good, origins: ['http://approvals.example.org'] }), /http only on localhost/);
  assert.throws(policy({ ...good, origins: ['https://other.example'] }), /on rpId/);
  assert.throws(policy({ ...good, rpId: '127.0.0.1', origins: ['https://127.0.0.1'] }), /on rpId|host name/);
  // Starting and operating runs are signed tokens: a passkey alone is no initiator's key.
  assert.throws(policy(good, ['approver', 'initiator']), /give publicKey or publicKeyFile/);
});
