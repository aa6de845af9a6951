// Layering rules from architecture.md, checked by `npm run layering` (part of `npm test`).
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'core-no-electron',
      comment: 'src-main/core is plain Node: the CLI, tests and benchmarks load it without Electron.',
      severity: 'error',
      from: { path: '^src-main/(core|service|cli)/' },
      to: { path: '^electron$|node_modules/electron/' },
    },
    {
      name: 'core-no-upward',
      comment: 'core knows nothing of the service, the app glue or the CLI.',
      severity: 'error',
      from: { path: '^src-main/core/' },
      to: { path: '^src-main/(service|cli|[^/]+\\.ts$)' },
    },
    {
      name: 'service-no-app-glue',
      severity: 'error',
      from: { path: '^src-main/service/' },
      to: { path: '^src-main/(cli/|[^/]+\\.ts$)' },
    },
    {
      name: 'renderer-not-main',
      comment: 'The renderer is untrusted and bundled for the browser: it may import only the contract.',
      severity: 'error',
      from: { path: '^src-renderer/' },
      to: { path: '^(src-main|src-preload/(?!api\\.ts$))' },
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
    exclude: { path: 'node_modules' },
  },
}
