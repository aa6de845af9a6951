// Web permissions: the renderer asks for none it should get — no camera, microphone, geolocation,
// notifications, USB, HID, serial or Bluetooth — with one exception: writing (sanitized) text to the
// clipboard, which the Copy buttons do, from the app's own page only.
import type { Session } from 'electron'

const GRANTED = new Set(['clipboard-sanitized-write'])

export function denyPermissions(session: Session, isAppUrl: (url: string | undefined) => boolean): void {
  session.setPermissionRequestHandler((contents, permission, callback, details) => {
    callback(GRANTED.has(permission) && isAppUrl(details?.requestingUrl ?? contents?.getURL()))
  })
  session.setPermissionCheckHandler((_contents, permission, origin) => {
    return GRANTED.has(permission) && isAppUrl(origin)
  })
  session.setDevicePermissionHandler(() => false)
}
