// One saved subscription: what it sends where, and send test, edit, delete.
import type { ComponentChildren } from 'preact'
import { useState } from 'preact/hooks'
import { ApiError, NetworkError } from '../../platform/http'
import { formatNumber, formatTime, label, t } from '../../platform/i18n'
import type { Site } from '../sites/types'
import { deleteSubscription, NOTIFY_TEST_TIMEOUT_MS, testSubscription } from './api'
import { digestText, langText, levelName, quietText, sitesText } from './subscription-form'
import { SubscriptionForm } from './SubscriptionForm'
import type { Subscription, TestResult } from './types'

// The progress bar fills over the time the server usually needs at most (about 10 s), not the request's
// whole timeout: a bar that crawls for 30 s reads as "stuck".
const TEST_EXPECTED_S = 10

function TestResultView({ result, at }: { result: TestResult; at: number }) {
  const time = formatTime(at)
  return (
    <div
      class={`sub-test-result ${result.ok ? 'ok' : 'failed'}`}
      role="status"
      data-testid="sub-test-result"
      data-ok={String(result.ok)}
    >
      <p class={result.ok ? 'control-result ok' : 'control-result form-error'}>
        {result.ok ? '✔ ' : '✘ '}
        {result.ok ? t('subs.test_ok', { time }) : t('subs.test_failed', { time })}
      </p>
      {result.results.length === 0 && <p class="muted">{t('subs.test_empty')}</p>}
      <ul class="test-items">
        {result.results.map((r, i) => (
          <li key={i} data-testid="sub-test-item" data-ok={String(r.ok)} data-status={r.status}>
            <div>
              <span class={r.ok ? 'attempt-ok' : 'attempt-failed'}>{r.ok ? '✔' : '✘'}</span> <strong>{r.service}</strong>{' '}
              <span class={`pill ${r.ok ? 'outcome-done' : 'outcome-failed'}`}>{label('send_status', r.status)}</span>
            </div>
            <div class="mono muted">{r.target}</div>
            <div class="muted">{t('common.elapsed', { seconds: formatNumber(r.elapsed_s) })}</div>
            {r.error && (
              <div class="attempt-error" data-testid="sub-test-error-text">
                {r.error}
              </div>
            )}
          </li>
        ))}
      </ul>
    </div>
  )
}

/** The test button (with the card's other buttons beside it), the progress while waiting, then the result. */
function SendTest({ id, children }: { id: number; children: ComponentChildren }) {
  const [testing, setTesting] = useState(false)
  const [result, setResult] = useState<{ value: TestResult; at: number }>()
  const [error, setError] = useState('')

  async function run() {
    setTesting(true)
    setResult(undefined)
    setError('')
    try {
      setResult({ value: await testSubscription(id), at: Date.now() })
    } catch (e) {
      if (e instanceof NetworkError) setError(t('subs.test_offline'))
      else setError(e instanceof ApiError ? e.detail : String(e))
    } finally {
      setTesting(false)
    }
  }

  return (
    <>
      <div class="control-buttons sub-actions">
        <button type="button" class="ack-button" disabled={testing} onClick={() => void run()} data-testid="sub-test">
          {t('subs.test')}
        </button>
        {children}
      </div>
      {testing && (
        <div
          class="scan-progress sub-test-progress"
          role="status"
          aria-busy="true"
          data-testid="sub-test-progress"
          data-timeout-ms={String(NOTIFY_TEST_TIMEOUT_MS)}
        >
          <span class="step-running">
            <span class="spinner" aria-hidden="true" />
            {t('subs.testing')}
          </span>
          <span class="progress-bar">
            <span style={{ animationDuration: `${TEST_EXPECTED_S}s` }} />
          </span>
        </div>
      )}
      {error && (
        <p class="form-error" role="alert" data-testid="sub-test-error">
          {error}
        </p>
      )}
      {result && <TestResultView result={result.value} at={result.at} />}
    </>
  )
}

function DeleteConfirm({ subscription, onDeleted, onCancel }: { subscription: Subscription; onDeleted: () => void; onCancel: () => void }) {
  const [deleting, setDeleting] = useState(false)
  const [error, setError] = useState('')
  async function confirm() {
    setDeleting(true)
    setError('')
    try {
      await deleteSubscription(subscription.id)
      onDeleted()
    } catch (e) {
      // Already gone (deleted on another device): the same outcome as asked for.
      if (e instanceof ApiError && e.status === 404) return onDeleted()
      setError(e instanceof NetworkError ? t('subs.error_offline') : e instanceof ApiError ? e.detail : String(e))
      setDeleting(false)
    }
  }
  return (
    <div class="ack-form" role="alertdialog" data-testid="sub-delete-confirm">
      <p class="control-warning">{t('subs.delete_confirm', { name: subscription.label || subscription.service })}</p>
      {error && (
        <p class="form-error" role="alert" data-testid="sub-delete-error">
          {error}
        </p>
      )}
      <div class="ack-actions">
        <button type="button" class="ack-button danger" disabled={deleting} onClick={() => void confirm()} data-testid="sub-delete-yes">
          {deleting ? t('subs.deleting') : t('subs.delete_yes')}
        </button>
        <button type="button" class="link-button" disabled={deleting} onClick={onCancel} data-testid="sub-delete-no">
          {t('subs.cancel')}
        </button>
      </div>
    </div>
  )
}

interface CardProps {
  subscription: Subscription
  sites: readonly Site[] | undefined
  sitesFailed: boolean
  /** Just added: suggest a test message. */
  justAdded: boolean
  onChanged: (subscription: Subscription) => void
  onDeleted: () => void
}

export function SubscriptionCard({ subscription: s, sites, sitesFailed, justAdded, onChanged, onDeleted }: CardProps) {
  const [editing, setEditing] = useState(false)
  const [deleting, setDeleting] = useState(false)
  const [saved, setSaved] = useState(false)
  const item = (children: ComponentChildren) => (
    <li class="sub-item" data-testid="subscription" data-subscription-id={String(s.id)} data-scheme={s.scheme}>
      {children}
    </li>
  )
  if (editing) {
    return item(
      <SubscriptionForm
        original={s}
        sites={sites}
        sitesFailed={sitesFailed}
        onSaved={(next) => {
          setEditing(false)
          setSaved(true)
          onChanged(next)
        }}
        onCancel={() => setEditing(false)}
      />,
    )
  }
  return item(
    <section class="card sub-card">
      <div class="device-head">
        <h3 data-testid="sub-name">{s.label || s.service}</h3>
        <span class="pill" data-testid="sub-service">
          {s.service}
        </span>
      </div>
      <div class="mono muted sub-target" data-testid="sub-target">
        {s.url_masked}
      </div>
      <dl class="facts">
        <dt>{t('subs.sites')}</dt>
        <dd data-testid="sub-sites-text">{sitesText(s.site_ids, sites)}</dd>
        <dt>{t('subs.levels')}</dt>
        <dd data-testid="sub-levels-text">
          {s.levels.map((level) => (
            <span key={level} class={`badge badge-${level} level-chip`} data-level={level}>
              {levelName(level)}
            </span>
          ))}
        </dd>
        <dt>{t('subs.lang')}</dt>
        <dd>{langText(s.lang)}</dd>
        <dt>{t('subs.digest')}</dt>
        <dd data-testid="sub-digest-text">{digestText(s.digest_interval_s)}</dd>
        <dt>{t('subs.quiet')}</dt>
        <dd data-testid="sub-quiet-text">{quietText(s)}</dd>
      </dl>
      {justAdded && (
        <p class="banner banner-success" role="status" data-testid="sub-added">
          {t('subs.added')}
        </p>
      )}
      {saved && (
        <p class="control-result ok" role="status" data-testid="sub-saved">
          ✓ {t('subs.saved')}
        </p>
      )}
      {deleting ? (
        <DeleteConfirm subscription={s} onDeleted={onDeleted} onCancel={() => setDeleting(false)} />
      ) : (
        <SendTest id={s.id}>
          <button
            type="button"
            class="control-button"
            onClick={() => {
              setSaved(false)
              setEditing(true)
            }}
            data-testid="sub-edit"
          >
            {t('subs.edit')}
          </button>
          <button type="button" class="control-button control-button-trip" onClick={() => setDeleting(true)} data-testid="sub-delete">
            {t('subs.delete')}
          </button>
        </SendTest>
      )}
    </section>,
  )
}
