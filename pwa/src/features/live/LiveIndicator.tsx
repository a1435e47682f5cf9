// The state of a site's live stream (实时, 重新连接中…, …), on the site page and the alarm page.
import { t, type MessageKey } from '../../platform/i18n'
import type { LiveState } from './stream'

const LIVE_TEXT: Record<LiveState, MessageKey> = {
  connecting: 'live.connecting',
  live: 'live.live',
  reconnecting: 'live.reconnecting',
  failed: 'live.failed',
  closed: 'live.closed',
}

export function LiveIndicator({ state }: { state: LiveState }) {
  return (
    <span class={`live live-${state}`} data-testid="live-status" data-state={state} role="status">
      {t(LIVE_TEXT[state])}
    </span>
  )
}
