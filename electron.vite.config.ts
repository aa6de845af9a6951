import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import { svelte } from '@sveltejs/vite-plugin-svelte'

// Folders are the design card's (src-main, src-preload, src-renderer), not electron-vite's defaults.
export default defineConfig({
  main: {
    // better-sqlite3 is externalized (electron-vite's default): its binding is found relative to its package.
    // One entry per process: index (Electron main: windows and the broker, no store), host (the store
    // host, a utilityProcess), cli (the berth command line) and cli-child (the utility process that
    // runs the CLI for `<app> --berth-cli`).
    build: {
      outDir: 'out/main',
      lib: {
        entry: {
          index: resolve(__dirname, 'src-main/app/index.ts'),
          host: resolve(__dirname, 'src-main/host/main.ts'),
          cli: resolve(__dirname, 'src-main/cli/bin.ts'),
          'cli-child': resolve(__dirname, 'src-main/app/cli-child.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      lib: { entry: resolve(__dirname, 'src-preload/index.ts') },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src-renderer'),
    plugins: [svelte()],
    build: {
      outDir: resolve(__dirname, 'out/renderer'),
      rollupOptions: { input: resolve(__dirname, 'src-renderer/index.html') },
    },
  },
})
