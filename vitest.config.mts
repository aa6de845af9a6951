import { defineConfig } from 'vitest/config'
import { svelte } from '@sveltejs/vite-plugin-svelte'

// Two projects: the core, service and end-to-end tests under plain Node, and Svelte component tests
// (beside their components) in jsdom with a typed fake of window.berth.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'node',
          environment: 'node',
          include: ['test/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          pool: 'forks',
          // The CLI tests run the built CLI: build it first when the sources are newer.
          globalSetup: ['test/cli/build.ts'],
        },
      },
      {
        plugins: [svelte()],
        resolve: { conditions: ['browser'] },
        test: {
          name: 'component',
          environment: 'jsdom',
          include: ['src-renderer/**/*.test.ts'],
          setupFiles: ['src-renderer/test-setup.ts'],
        },
      },
    ],
  },
})
