// What every browser test needs: the renderer built (once, when its sources are newer than the build)
// and Debian's Chromium launched headless with the flags known to work on these machines.
import { existsSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Browser } from 'playwright-core'
import { newest, ROOT } from '../support/host'

export { ROOT }
export const RENDERER_OUT = join(ROOT, 'out/renderer')
export const CHROMIUM = process.env.BERTH_CHROMIUM ?? '/usr/bin/chromium'

export async function ensureRendererBuilt(): Promise<string> {
  const index = join(RENDERER_OUT, 'index.html')
  const sources = Math.max(
    newest(join(ROOT, 'src-renderer')),
    statSync(join(ROOT, 'src-preload/api.ts')).mtimeMs,
  )
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return RENDERER_OUT
  const { build } = await import('vite')
  const { svelte } = await import('@sveltejs/vite-plugin-svelte')
  await build({
    configFile: false,
    logLevel: 'warn',
    root: join(ROOT, 'src-renderer'),
    base: './',
    plugins: [svelte()],
    build: {
      outDir: RENDERER_OUT,
      emptyOutDir: true,
      rollupOptions: { input: join(ROOT, 'src-renderer/index.html') },
    },
  })
  return RENDERER_OUT
}

export function chromiumMissing(): string | null {
  return existsSync(CHROMIUM) ? null : `${CHROMIUM} is not installed (apt-get install chromium)`
}

/** `extraArgs` follow the flags known to work here (the benches add frame-pacing ones). */
export async function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  // Playwright gives every launch a fresh temporary profile (it refuses --user-data-dir in launch()).
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...extraArgs,
    ],
  })
}
