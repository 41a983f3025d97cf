// The one resident the sandbox's ID system knows (the mock authenticator plugin's role): OTP login
// and the KYC claims released at the token exchange.
import { createHash } from 'node:crypto';
import type { SandboxContext } from '../context.js';

export interface MockIdentity {
  individualId: string;
  otp: string;
  maskedEmail: string;
  maskedMobile: string;
  claims: Record<string, unknown>;
}

export function mockIdentity(ctx: SandboxContext): MockIdentity {
  return {
    individualId: ctx.credentials.verificationIndividualId,
    otp: ctx.credentials.verificationOtp,
    maskedEmail: 're******@sandbox.mosip.test',
    maskedMobile: '98*****210',
    claims: {
      name: 'Asha Resident',
      email: 'resident@sandbox.mosip.test',
      gender: 'Female',
      birthdate: '1990/04/17',
      phone_number: '+919876543210',
      address: {
        formatted: '12 Lake Road, Sandbox City',
        locality: 'Sandbox City',
        country: 'IN',
        postal_code: '560001',
      },
      picture:
        'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
    },
  };
}

/** The partner-specific user token: a pairwise subject, stable per resident and relying party. */
export function pairwiseSubject(individualId: string, relyingPartyId: string): string {
  return createHash('sha256').update(`${individualId}:${relyingPartyId}`).digest('base64url');
}
