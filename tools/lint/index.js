// Why the linter lives in its own package: the project builds with TypeScript 7 (the native
// compiler), which has no JavaScript compiler API, and typescript-eslint needs one (its peer range
// is typescript >=4.8.4 <6.1.0; its TypeScript 7 support starts with 7.1). npm resolves a peer
// dependency beside the package that needs it, so typescript-eslint at the project's root would
// meet TypeScript 7 and npm refuses the tree. Installed from here (the root's devDependency
// `g2p-onboard-lint: file:tools/lint`), typescript-eslint finds TypeScript 6.0 — the last
// JavaScript compiler, same language as 7.0 — in tools/lint/node_modules, and the build keeps 7.
// Drop this package for plain devDependencies once typescript-eslint supports the build's TypeScript.
export { default as tseslint } from 'typescript-eslint';
