/// <reference types="svelte" />
import type { BerthBridge } from '../../src-preload/api'

declare global {
  interface Window {
    berth: BerthBridge
  }
}
