// Private key material where a public key belongs. People paste the wrong half of a pair; the
// one safe answer is to refuse it *and* say the key is burnt: whoever saw the file (a spec's
// reviewers, a policy's readers, the repository it was committed to) could sign as its owner.
// Pure (no node:crypto) so the spec schema can use it wherever it is loaded.

/** Advice given with every refusal of private key material; the value itself is never repeated. */
export const ROTATE_EXPOSED_KEY =
  'it was exposed by being written here, so it must be rotated: generate a new key pair (e.g. ssh-keygen -t ed25519), ' +
  'keep the private half with its owner only, and give the worker operator the public half (the .pub file)';

const PEM_PRIVATE = /-----BEGIN ((?:RSA |EC |DSA |ENCRYPTED |OPENSSH )?)PRIVATE KEY-----/;

/**
 * What kind of private key `value` is, or undefined when it holds none: a PEM or OpenSSH
 * private key (possibly inside other text), a PuTTY key file, or a JWK (object or JSON text,
 * alone or in a JWK set) carrying a private member.
 */
export function privateKeyKind(value: unknown, depth = 0): string | undefined {
  if (depth > 4) return undefined;
  if (typeof value === 'string') {
    const pem = PEM_PRIVATE.exec(value);
    if (pem) return pem[1] === 'OPENSSH ' ? 'an OpenSSH private key' : `a PEM private key (${pem[0].slice(11, -5)})`;
    if (value.includes('PuTTY-User-Key-File-')) return 'a PuTTY private key';
    const trimmed = value.trim();
    if (trimmed.startsWith('{')) {
      try {
        return privateKeyKind(JSON.parse(trimmed), depth + 1);
      } catch {
        return undefined;
      }
    }
    return undefined;
  }
  if (Array.isArray(value)) {
    for (const item of value) {
      const kind = privateKeyKind(item, depth + 1);
      if (kind) return kind;
    }
    return undefined;
  }
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    // `d` is the private member of EC, OKP and RSA JWKs (RSA adds p, q…); `k` is a symmetric key.
    const secret = ['d', 'p', 'q', 'k'].find((m) => record[m] !== undefined);
    if (typeof record.kty === 'string' && secret) return `a private JWK (it has the private member "${secret}")`;
    if (Array.isArray(record.keys)) return privateKeyKind(record.keys, depth + 1);
  }
  return undefined;
}
