// What a page shows while it loads, when a read failed (with the words for why), and when it shows the copy saved
// on this device because the server cannot be reached.
import { NoCachedData } from '../platform/cached-read'
import { ApiError, NetworkError } from '../platform/http'
import { formatDateTime, t } from '../platform/i18n'

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

/** A step under way: a spinner with what is being done, announced as a status. */
export function Working({ text, testid }: { text: string; testid?: string }) {
  return (
    <p class="step-running" role="status" aria-busy="true" data-testid={testid}>
      <span class="spinner" aria-hidden="true" />
      {text}
    </p>
  )
}
