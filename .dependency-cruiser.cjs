// Layering rules from architecture.md, checked by `npm run layering` (part of `npm test`) and by
// test/main/layering.test.ts, which also proves each process rule catches a violation.
//
// Three processes: Electron main (src-main/app/), the store host (src-main/host/), and the renderer.
// Main must never load the store: not better-sqlite3, not the database, not the content store, not
// the service, not the CLI — whatever the path through the import graph.

/** What only the store host (or the CLI) may load. */
const STORE =
  'better-sqlite3|^src-main/core/db\\.ts$|^src-main/core/content/|^src-main/service/|^src-main/cli/' +
  '|^src-main/host/(main|serve|store|dispatch|fork)\\.ts$'

/** Main's files that the e2e bridge (plain Node) runs too: they must stay Electron-free. */
const ELECTRON_FREE_APP =
  '^src-main/app/(broker|path-grants|insecure-hosts|check-args|app-protocol|cli-stdin)\\.ts$'

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'main-never-reaches-store',
      comment:
        'Electron main brokers; the store host owns the database and the blobs. Nothing main loads ' +
        'may reach them, directly or through any chain of imports (type-only imports included).',
      severity: 'error',
      from: { path: '^src-main/app/' },
      to: { path: STORE, reachable: true },
    },
    {
      name: 'host-no-electron',
      comment: 'The store host is plain Node: tests, the bridge and benchmarks run it without Electron.',
      severity: 'error',
      from: { path: '^src-main/host/' },
      to: { path: '^electron$|node_modules/electron/', reachable: true },
    },
    {
      name: 'bridge-code-electron-free',
      comment: 'The checks main applies (schemas, path grants, insecure hosts) run in the e2e bridge too.',
      severity: 'error',
      from: { path: ELECTRON_FREE_APP },
      to: { path: '^electron$|node_modules/electron/', reachable: true },
    },
    {
      name: 'host-not-app-glue',
      comment: 'The host shares only the argument check with main, never its Electron glue.',
      severity: 'error',
      from: { path: '^src-main/host/' },
      to: { path: '^src-main/app/(?!check-args\\.ts$)' },
    },
    {
      name: 'core-no-electron',
      comment: 'src-main/core is plain Node: the CLI, tests and benchmarks load it without Electron.',
      severity: 'error',
      from: { path: '^src-main/(core|service|cli)/' },
      to: { path: '^electron$|node_modules/electron/' },
    },
    {
      name: 'core-no-upward',
      comment: 'core knows nothing of the service, the processes or the CLI.',
      severity: 'error',
      from: { path: '^src-main/core/' },
      to: { path: '^src-main/(service|cli|host|app)/' },
    },
    {
      name: 'service-no-app-glue',
      severity: 'error',
      from: { path: '^src-main/service/' },
      to: { path: '^src-main/(cli|host|app)/' },
    },
    {
      name: 'renderer-not-main',
      comment: 'The renderer is untrusted and bundled for the browser: it may import only the contract.',
      severity: 'error',
      from: { path: '^src-renderer/' },
      to: { path: '^(src-main|src-preload/(?!api\\.ts$))' },
    },
    {
      name: 'renderer-contract-types-only',
      comment:
        'The renderer takes only types from the contract: its lists are for main and the preload, and ' +
        'the argument types lead to the schemas (valibot), which the page must not bundle.',
      severity: 'error',
      from: { path: '^src-renderer/' },
      to: { path: '^src-preload/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'renderer-no-node',
      severity: 'error',
      from: { path: '^src-renderer/', pathNot: '\\.test\\.ts$|test-setup\\.ts$' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'preload-only-contract',
      severity: 'error',
      from: { path: '^src-preload/' },
      to: { path: '^(src-main|src-renderer)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.svelte', '.json'] },
  },
}
