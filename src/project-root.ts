// The repository (or image) root, where package.json, bin/ and .data/ are: two levels above
// dist/src/, where this module is compiled.
import { resolve } from 'node:path';

export const projectRoot = resolve(import.meta.dirname, '..', '..');
