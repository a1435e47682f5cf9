// The live parts of one site for a page that shows it (the site page, an alarm's page): the alarm list, the
// readings, the stream, the beep for a new alarm, and system notifications when the user switched them on.
import { useEffect, useRef, useState } from 'preact/hooks'
import { alertNewAlarm, primeAudioOnGesture } from '../alarms/alert'
import { alarmOf } from '../alarms/model'
import { noticeOf, type NoticeSite } from '../notify/alarm-notice'
import { showAlarmNotice } from '../notify/system-notifications'
import { SiteLive, type SiteLiveView } from './site-live'

/**
 * Open the site's stream once `site` is read, close it when the page goes. `site` gives the notification
 * its site name and channel settings; it is read when an event comes, so a fresher copy is used.
 */
export function useSiteLive(
  siteId: number,
  site: NoticeSite | undefined,
): [SiteLive | undefined, SiteLiveView | undefined] {
  const [live, setLive] = useState<SiteLive>()
  const [view, setView] = useState<SiteLiveView>()
  const latestSite = useRef(site)
  latestSite.current = site
  const enabled = site !== undefined
  useEffect(() => {
    if (!enabled) return
    const current = new SiteLive(siteId, alertNewAlarm, (event) => {
      void showAlarmNotice(noticeOf(alarmOf(event), latestSite.current))
    })
    const unsubscribe = current.subscribe(() => setView(current.getView()))
    const unprime = primeAudioOnGesture()
    current.start()
    setLive(current)
    setView(current.getView())
    return () => {
      unsubscribe()
      unprime()
      current.stop()
      setLive(undefined)
      setView(undefined)
    }
  }, [siteId, enabled])
  return [live, view]
}
