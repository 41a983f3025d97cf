// The claims and ACRs e-Signet knows out of the box (its discovery `claims_supported` and the
// keys of amr_acr_mapping.json; ../shared reference, e-Signet §3). Both are deployment
// configuration, so a value outside them is not refused as such — only a value that is certainly
// a slip: a known name misspelt (case, `_`/`-`), a scope given as a claim, or an ACR written as its
// short name. e-Signet would answer those with invalid_claim / invalid_acr at registration.

export const KNOWN_CLAIMS = [
  'name',
  'address',
  'gender',
  'birthdate',
  'picture',
  'email',
  'phone_number',
  'individual_id',
  'phone_number_verified',
  'registration_type',
  'updated_at',
] as const;

const ACR_PREFIX = 'mosip:idp:acr:';
export const KNOWN_ACRS = [
  'static-code',
  'generated-code',
  'linked-wallet',
  'biometrics',
  'knowledge',
  'password',
  'id-token',
].map((a) => ACR_PREFIX + a);

/** Short names people use for an ACR: its own tail, the AMR name and the auth factor type. */
const ACR_ALIASES: Record<string, string> = {
  pin: 'static-code',
  staticcode: 'static-code',
  otp: 'generated-code',
  generatedcode: 'generated-code',
  wallet: 'linked-wallet',
  wla: 'linked-wallet',
  linkedwallet: 'linked-wallet',
  bio: 'biometrics',
  biometric: 'biometrics',
  biometrics: 'biometrics',
  l1biodevice: 'biometrics',
  kbi: 'knowledge',
  knowledge: 'knowledge',
  pwd: 'password',
  password: 'password',
  idt: 'id-token',
  idtoken: 'id-token',
};

const squash = (s: string) => s.toLowerCase().replace(/[\s_-]/g, '');

/** Why e-Signet will refuse `claim`, or undefined when it may accept it. */
export function claimProblem(claim: string): string | undefined {
  if (/\s/.test(claim.trim())) return 'one claim per entry: write each as its own list item';
  if ((KNOWN_CLAIMS as readonly string[]).includes(claim)) return undefined;
  if (claim === 'openid' || claim === 'phone') {
    return `${claim} is a scope, not a claim: list the claims themselves (e-Signet knows ${KNOWN_CLAIMS.join(', ')})`;
  }
  const near = KNOWN_CLAIMS.find((known) => squash(known) === squash(claim));
  return near ? `e-Signet knows this claim as ${near} (claim names are exact): write ${near}` : undefined;
}

/** Why e-Signet will refuse `acr` (an entry may hold several, space-separated), or undefined. */
export function acrProblem(acr: string): string | undefined {
  for (const part of acr.trim().split(/\s+/)) {
    if (KNOWN_ACRS.includes(part)) continue;
    const tail = part.toLowerCase().startsWith(ACR_PREFIX) ? part.slice(ACR_PREFIX.length) : part.replace(/^.*:/, '');
    const known = ACR_ALIASES[squash(tail)];
    if (known) return `${part} is not an ACR e-Signet knows: write ${ACR_PREFIX}${known} (ACRs are written in full)`;
  }
  return undefined;
}
