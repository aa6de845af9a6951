// Frame timing that means something in headless Chromium.
//
// Why not plain rAF deltas: headless Chromium paces requestAnimationFrame from a synthetic 60 Hz timer
// and stamps each callback with that timer's frame time, not with when the frame was really produced.
// On these machines an idle page shows ~30% of deltas "over 16.7 ms" (jitter around 16.67), and a
// 25 ms busy loop in every tenth frame does not show at all (the deltas never exceed 16.8 ms). Those
// figures measure the timer, not us.
//
// The measure we hold the goal to: each frame's main-thread work, in the ordinary vsync-paced browser,
// from the frame's first task (the scroll event its scroll steps dispatch, or else its first rAF
// callback) to the end of its rendering steps (a MessageChannel message posted from the rAF callback
// runs only after style, layout, paint and commit of that frame). Everything our code does for a frame
// lies in that span: the scroll handler, Svelte's update, the bench's own rAF callback, and Blink's
// style, layout and paint of the rows. A frame whose span exceeds 16.7 ms could not have been ready for
// its vsync at 60 Hz whatever the timer's jitter: a frame missed because of our work. An idle page
// spends ~0.3 ms a frame, so its reference sits at 0%. Checked: a 25 ms busy loop in every tenth frame
// reads as exactly 10% over.
//
// What it leaves out is raster and draw, which Chromium runs off the main thread, pipelined with the
// next frame. To show them too, the scroll is also timed in a browser with vsync off, the frame rate
// unlimited and every compositor stage run before the draw: there the next BeginFrame only comes once
// the previous frame is drawn, so a rAF delta is the whole pipeline's time for one frame. It is printed
// as an upper bound and not held to the goal, because in that mode Chromium's own compositor spins
// BeginFrames without pause (two full cores on an idle page here), so on a 2-core machine our frames
// share the CPU with that spin.
import type { Browser, Page } from 'playwright-core'
import { launchChromium } from '../test/e2e/harness'

export { launchChromium as launchPacedChromium } from '../test/e2e/harness'

/** The harness's flags plus the three that make rAF honest. */
export function launchUnthrottledChromium(): Promise<Browser> {
  return launchChromium([
    '--disable-gpu-vsync',
    '--disable-frame-rate-limit',
    '--run-all-compositor-stages-before-draw',
  ])
}

export interface FrameRun {
  /** Main-thread work of each frame: its first task to the end of its rendering steps. */
  work: number[]
  /** Wall time between consecutive frames (rAF callback to rAF callback). */
  intervals: number[]
  /** Long Animation Frames observed during the run (main-thread frames over 50 ms). */
  longFrames: number
  /** Most rows the DOM held at any frame. */
  maxRows: number
}

// Page scripts are strings, not functions: tsx's transform would inject helpers the page does not have.
// `frame(next)` is called first thing in every rAF callback.
const COLLECT = `
  const work = [], intervals = []
  let longFrames = 0, maxRows = 0, last = 0, frameStart = null, n = 0
  const loaf = PerformanceObserver.supportedEntryTypes.includes('long-animation-frame')
    ? new PerformanceObserver((l) => { longFrames += l.getEntries().length })
    : null
  loaf?.observe({ type: 'long-animation-frame' })
  // Scroll events are dispatched in a frame's scroll steps, before its rAF callbacks: the frame's
  // first task when it scrolls.
  const onScroll = () => { if (frameStart === null) frameStart = performance.now() }
  addEventListener('scroll', onScroll, { capture: true })
  const frame = () => {
    const now = performance.now()
    const start = frameStart ?? now
    frameStart = null
    if (last) intervals.push(now - last)
    last = now
    const mc = new MessageChannel()
    mc.port1.onmessage = () => work.push(performance.now() - start)
    mc.port2.postMessage(0)
    maxRows = Math.max(maxRows, document.querySelectorAll('[role="row"]').length)
  }
  const finish = (resolve) => setTimeout(() => {
    loaf?.disconnect()
    removeEventListener('scroll', onScroll, { capture: true })
    resolve({ work, intervals, longFrames, maxRows })
  }, 100)
`

/** The page's frames while nothing changes: what this machine gives an idle page, same browser, same run. */
export function idleFrames(page: Page, count = 300): Promise<FrameRun> {
  return page.evaluate(`new Promise((resolve) => {
    ${COLLECT}
    const tick = () => {
      frame()
      ++n < ${count} ? requestAnimationFrame(tick) : finish(resolve)
    }
    requestAnimationFrame(tick)
  })`) as Promise<FrameRun>
}

/** Scrolls `selector` from top to bottom by `step` px a frame, one frame at a time. */
export function scrollFrames(page: Page, selector: string, step: number): Promise<FrameRun> {
  return page.evaluate(`(async () => {
    const body = document.querySelector(${JSON.stringify(selector)})
    body.scrollTop = 0
    await new Promise((r) => setTimeout(r, 300))
    return await new Promise((resolve) => {
      ${COLLECT}
      const tick = () => {
        frame()
        if (body.scrollTop + body.clientHeight >= body.scrollHeight - 1) return finish(resolve)
        body.scrollTop += ${step}
        requestAnimationFrame(tick)
      }
      requestAnimationFrame(tick)
    })
  })()`) as Promise<FrameRun>
}

export const BUDGET_MS = 16.7

export function pct(xs: number[], over: number): number {
  return xs.length ? (100 * xs.filter((x) => x > over).length) / xs.length : 0
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b)
  return s.length ? s[Math.min(s.length - 1, Math.floor(s.length * q))] : 0
}

const ms = (x: number) => x.toFixed(1)

/** Percentage of frames whose main-thread work went over the 60 Hz budget: the figure the goal is about. */
export function janky(run: FrameRun): number {
  return pct(run.work, BUDGET_MS)
}

/** For the vsync-paced browser: frames, % over budget, work quantiles, and vsyncs the wall clock saw missed. */
export function describePaced(run: FrameRun): string {
  // Paced intervals are 16.7 ms give or take task jitter; one that missed a vsync is ~33 ms.
  return (
    `${run.work.length} frames, ${ms(janky(run))}% over ${BUDGET_MS} ms of main-thread work ` +
    `(work p50 ${ms(quantile(run.work, 0.5))}, p95 ${ms(quantile(run.work, 0.95))}, max ${ms(quantile(run.work, 1))} ms; ` +
    `${ms(pct(run.intervals, 25))}% of intervals > 25 ms; long animation frames ${run.longFrames})`
  )
}

/** For the unthrottled browser, where an interval is one frame's whole pipeline. */
export function describeUnthrottled(run: FrameRun): string {
  return (
    `${run.intervals.length} frames, ${ms(pct(run.intervals, BUDGET_MS))}% over ${BUDGET_MS} ms ` +
    `(p50 ${ms(quantile(run.intervals, 0.5))}, p95 ${ms(quantile(run.intervals, 0.95))}, max ${ms(quantile(run.intervals, 1))} ms)`
  )
}
