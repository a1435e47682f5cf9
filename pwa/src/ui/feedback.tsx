// Small pieces shared by the screens.
import { ApiError, NetworkError } from '../api'
import { NoCachedData } from '../data'
import { formatDateTime, label, t, type MessageKey } from '../i18n'
import type { LiveState } from '../live/stream'
import type { SiteStatus } from '../types'

export function StatusBadge({ status }: { status: SiteStatus }) {
  return (
    <span class={`badge badge-${status}`} data-testid="site-status" data-status={status}>
      {label('status', status)}
    </span>
  )
}

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

export function OfflineBanner({ fetchedAt, onRetry }: { fetchedAt: number; onRetry: () => void }) {
  return (
    <div class="banner banner-offline" role="status" data-testid="offline-banner">
      <span>{t('offline.banner', { time: formatDateTime(fetchedAt) })}</span>
      <button type="button" class="link-button" onClick={onRetry}>
        {t('offline.retry')}
      </button>
    </div>
  )
}

export function Loading() {
  return (
    <p class="muted" aria-busy="true" data-testid="loading">
      {t('common.loading')}
    </p>
  )
}

export function ErrorMessage({ text, onRetry }: { text: string; onRetry?: () => void }) {
  return (
    <div class="banner banner-error" role="alert" data-testid="error">
      <span>{text}</span>
      {onRetry && (
        <button type="button" class="link-button" onClick={onRetry}>
          {t('offline.retry')}
        </button>
      )}
    </div>
  )
}

/** Words for a failed read: the server's own detail when it answered, else what the network did. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return error.detail
  if (error instanceof NoCachedData) return t('offline.no_cache')
  if (error instanceof NetworkError) return t('login.unreachable')
  return String(error)
}
