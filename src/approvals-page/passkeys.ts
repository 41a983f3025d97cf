// The page's WebAuthn ceremonies, through @simplewebauthn/server: enrolling a passkey (the page
// prints it as an entry for the worker's identity registry: nothing is trusted until the
// registry's owner adds it) and signing in with one the registry holds. Decisions are not
// verified here: the workflow verifies them (src/approvals/passkey.ts).
import { randomBytes } from 'node:crypto';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { stringify as toYaml } from 'yaml';
import { coseToJwk, jwkToCose } from '../approvals/cose.js';
import type { SignerJwk } from '../approvals/jws.js';
import { payloadChallenge } from '../approvals/passkey.js';
import { loadWorkerPolicy, type Identity } from '../security/worker-policy.js';

/** COSE ES256 and EdDSA: what the workflow verifies. */
const ALGORITHMS = [-7, -8];
const TIMEOUT_MS = 120_000;

export interface RelyingParty {
  /** The page's origin and its host name (the RP id). */
  origin: string;
  rpId: string;
  /** The worker policy whose registry says whose passkeys sign in. */
  policyFile: string;
}

/** The registry entry enrollment prints, for the registry's owner to add. */
export interface EnrolledPasskey {
  name: string;
  webauthn: { credentialId: string; publicKey: SignerJwk; rpId: string; origins: string[] };
  /** The same as YAML for the worker policy's `identities`. */
  yaml: string;
}

export class PageRelyingParty {
  /** Highest sign-in counter seen per credential (the workflow keeps its own for decisions). */
  private readonly counters = new Map<string, number>();

  constructor(private readonly rp: RelyingParty) {}

  async enrollOptions(name: string): Promise<PublicKeyCredentialCreationOptionsJSON> {
    return generateRegistrationOptions({
      rpName: 'g2p-onboard approvals',
      rpID: this.rp.rpId,
      userName: name,
      userID: randomBytes(16),
      attestationType: 'none',
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
      supportedAlgorithmIDs: ALGORITHMS,
      timeout: TIMEOUT_MS,
    });
  }

  async enroll(name: string, challenge: string, response: RegistrationResponseJSON): Promise<EnrolledPasskey> {
    const verified = await verifyRegistrationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: this.rp.origin,
      expectedRPID: this.rp.rpId,
      requireUserVerification: true,
      supportedAlgorithmIDs: ALGORITHMS,
    });
    if (!verified.verified) throw new PasskeyRefused('the passkey could not be enrolled');
    const { credential } = verified.registrationInfo;
    const webauthn = {
      credentialId: credential.id,
      publicKey: coseToJwk(credential.publicKey),
      rpId: this.rp.rpId,
      origins: [this.rp.origin],
    };
    const yaml = toYaml([{ name, roles: ['approver'], webauthn: [webauthn] }], { lineWidth: 0 });
    return { name, webauthn, yaml };
  }

  async signInOptions(): Promise<PublicKeyCredentialRequestOptionsJSON> {
    // No credential list: the authenticator offers the passkeys it holds for this page (discoverable).
    return generateAuthenticationOptions({ rpID: this.rp.rpId, userVerification: 'required', timeout: TIMEOUT_MS });
  }

  /** The approver whose registered passkey answered the challenge; the registry is read afresh. */
  async signIn(
    challenge: string,
    response: AuthenticationResponseJSON,
  ): Promise<{ approver: string; credentialId: string }> {
    const found = this.registered(response.id);
    if (!found)
      throw new PasskeyRefused(
        "this passkey is not in the worker's identity registry for this page: enroll it and have the registry's owner add the entry",
      );
    const { identity, publicKey } = found;
    const verified = await verifyAuthenticationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: this.rp.origin,
      expectedRPID: this.rp.rpId,
      credential: { id: response.id, publicKey: jwkToCose(publicKey), counter: this.counters.get(response.id) ?? 0 },
      requireUserVerification: true,
    }).catch((err: unknown) => {
      throw new PasskeyRefused(`the passkey's answer does not verify (${(err as Error).message})`);
    });
    if (!verified.verified) throw new PasskeyRefused("the passkey's answer does not verify");
    this.counters.set(response.id, verified.authenticationInfo.newCounter);
    return { approver: identity.name, credentialId: response.id };
  }

  /** The credential ids a signed-in approver's decisions may be signed with. */
  credentialsOf(approver: string): string[] {
    const identity = this.registry().find((i) => i.name === approver);
    return (identity?.passkeys ?? []).filter((p) => p.rpId === this.rp.rpId).map((p) => p.credentialId);
  }

  /** WebAuthn options whose challenge is the decision payload's hash (what the workflow checks). */
  decisionOptions(payload: string, credentialIds: string[]): PublicKeyCredentialRequestOptionsJSON {
    return {
      challenge: payloadChallenge(payload),
      rpId: this.rp.rpId,
      allowCredentials: credentialIds.map((id) => ({ id, type: 'public-key' })),
      userVerification: 'required',
      timeout: TIMEOUT_MS,
    };
  }

  private registry(): Identity[] {
    return loadWorkerPolicy(this.rp.policyFile, { forChecksOnly: true }).identities.filter((i) =>
      i.roles.includes('approver'),
    );
  }

  private registered(credentialId: string): { identity: Identity; publicKey: SignerJwk } | undefined {
    for (const identity of this.registry()) {
      const passkey = identity.passkeys.find((p) => p.credentialId === credentialId && p.rpId === this.rp.rpId);
      if (passkey) return { identity, publicKey: passkey.publicKey };
    }
    return undefined;
  }
}

/** A ceremony the page refuses (HTTP 403 with the reason). */
export class PasskeyRefused extends Error {
  override name = 'PasskeyRefused';
}
