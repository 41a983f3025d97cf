// The label PMS files the Auth Partner's API key under, as the schema checks it: a derived label
// is held to the same limit as a given one. derived.ts's apiKeyLabel (workflow-bundle code, which
// this module stays out of) derives the same; test/unit/spec-values.test.ts keeps the two equal.

/** PMS stores labels of at most 36 characters, and a re-issued key adds a suffix (`-r2`). */
export const API_KEY_LABEL_MAX = 32;

/** The label used when the spec gives none. */
export function defaultApiKeyLabel(deploymentId: string): string {
  return `${deploymentId}-openg2p`;
}
