// The approval book without Temporal: who may decide, N of M, four eyes, refusals capped —
// the rules a Partner Admin meets, checked in milliseconds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApprovalBook, MAX_AUDITED_REFUSALS, type ApprovalHost } from '../../src/workflows/approval.js';
import type { AuditEntry, TrustedIdentity } from '../../src/workflows/messages.js';
import { validateSpec } from '../../src/spec/load.js';
import { signDecision } from '../../src/approvals/sign.js';
import { jwkThumbprint } from '../../src/approvals/keys.js';
import type { KnownSigner } from '../../src/approvals/jws.js';
import type { PasskeyHolder } from '../../src/approvals/passkey.js';
import { assertion, authenticator } from '../helpers/passkeys.js';
import { approverPrivateKey, approverPublicJwk } from '../helpers/approvers.js';
import { offlineSpecInput } from '../helpers/fixtures.js';

const WID = 'onboard-book';
const RID = 'first-run';

function identity(name: string): TrustedIdentity & KnownSigner {
  const publicKey = approverPublicJwk(name);
  return { name, roles: ['approver'], publicKey, thumbprint: jwkThumbprint(publicKey) };
}

/** A book over a run that only keeps its audit trail, with alice, bob and carol as approvers. */
function book(required = 1, initiator: TrustedIdentity = identity('staff-1'), passkeyHolders: PasskeyHolder[] = []) {
  const input = offlineSpecInput('book');
  input.approval.approvers = [{ name: 'alice' }, { name: 'bob' }, { name: 'carol' }];
  input.approval.required = required;
  const audit: AuditEntry[] = [];
  const host: ApprovalHost = {
    spec: validateSpec(input),
    record: (e) => void audit.push({ at: '', ...e }),
    recordApprover: () => undefined,
  };
  const approvals = new ApprovalBook(host, () => ({
    workflowId: WID,
    firstRunId: RID,
    initiator,
    approvers: ['alice', 'bob', 'carol', 'staff-1'].map(identity),
    passkeyHolders,
  }));
  approvals.open('mapping-1');
  return { approvals, audit, host };
}

const decision = (approver: string, d: 'approve' | 'reject' = 'approve', comment = 'ok') => ({
  token: signDecision(approverPrivateKey(approver), { wid: WID, rid: RID, decision: d, approver, comment }),
});

function decide(approvals: ApprovalBook, input: { token: string }) {
  const checked = approvals.check(input);
  assert.ok(checked.ok, checked.ok ? '' : checked.reason);
  return approvals.apply(checked, input, 'update');
}

test('two of three approvals decide; the first alone does not, and each decision is kept once', () => {
  const { approvals, host } = book(2);
  decide(approvals, decision('alice'));
  assert.equal(approvals.verdict(), undefined);
  assert.deepEqual(approvals.pending()?.awaiting, ['bob', 'carol']);
  decide(approvals, decision('bob'));
  assert.equal(approvals.verdict(), 'approved');
  assert.deepEqual(
    host.ledger?.decisions.map((d) => d.approver),
    ['alice', 'bob'],
  );
});

test('any rejection ends the approval, even when approvals are still needed', () => {
  const { approvals } = book(2);
  decide(approvals, decision('alice'));
  decide(approvals, decision('carol', 'reject', 'wrong organisation'));
  assert.equal(approvals.verdict(), 'rejected');
});

test('whoever holds the initiator key cannot approve, whatever name they sign under', () => {
  const { approvals } = book(1, { ...identity('alice'), name: 'staff-alice' });
  const refused = approvals.check(decision('alice'));
  assert.equal(refused.ok, false);
  assert.match(refused.ok ? '' : refused.reason, /four eyes/);
});

test('a second decision by the same approver and a replayed token are refused', () => {
  const { approvals } = book(2);
  const first = decision('alice');
  decide(approvals, first);
  const replay = approvals.check(first);
  assert.match(replay.ok ? '' : replay.reason, /already used|already decided/);
  const again = approvals.check(decision('alice'));
  assert.match(again.ok ? '' : again.reason, /already decided/);
});

test('refused decisions are audited up to the cap, then only counted', () => {
  const { approvals, audit } = book();
  for (let i = 0; i < MAX_AUDITED_REFUSALS + 5; i++)
    approvals.refuse('mallory is not an approver', decision('mallory'), 'signal');
  assert.equal(audit.filter((e) => e.event === 'approval.refused').length, MAX_AUDITED_REFUSALS);
  assert.equal(approvals.state.refusalsNotAudited, 5);
});

test('a passkey decision follows the same rules: kept whole with its counter, one per approver whichever way signed', () => {
  const alice = authenticator();
  const { approvals, audit } = book(2, identity('staff-1'), [{ name: 'alice', passkeys: [alice.passkey] }]);
  const input = { passkey: assertion(alice.privateKey, alice.passkey, { wid: WID, rid: RID }, { counter: 12 }) };
  const checked = approvals.check(input);
  assert.ok(checked.ok, checked.ok ? '' : checked.reason);
  approvals.apply(checked, input, 'update');
  assert.equal(approvals.state.passkeyCounters?.[alice.passkey.credentialId], 12);
  const entry = audit.find((e) => e.event === 'approval.approve')!;
  assert.ok(entry.token?.startsWith('passkey.'));
  assert.deepEqual(entry.key?.passkey?.rpId, alice.passkey.rpId);
  const again = approvals.check(decision('alice'));
  assert.match(again.ok ? '' : again.reason, /already decided/);
  const replay = approvals.check(input);
  assert.match(replay.ok ? '' : replay.reason, /already used/);
});

test("whoever started the run cannot decide it with a passkey holding the initiator's key (four eyes)", () => {
  const bob = authenticator();
  const initiator = { ...identity('staff-1'), thumbprint: bob.passkey.thumbprint };
  const { approvals } = book(1, initiator, [{ name: 'bob', passkeys: [bob.passkey] }]);
  const refused = approvals.check({
    passkey: assertion(bob.privateKey, bob.passkey, { wid: WID, rid: RID, approver: 'bob' }),
  });
  assert.match(refused.ok ? '' : refused.reason, /four eyes/);
});
