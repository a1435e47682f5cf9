// The sync page (/sync, the header's sync state links here): what waits on this device, when it last synced,
// "立即同步", and the changes the server refused, each with its reason and "知道了".
import { useEffect, useState } from 'preact/hooks'
import { formatDateTime, t } from '../../platform/i18n'
import { Loading } from '../../ui/feedback'
import { RejectedChanges } from './RejectedChanges'
import { requestSync } from './start'
import { useOutbox, useSyncFacts } from './use-local'
import { describeEntry, syncStateOf, syncStateText } from './words'

export function SyncPage() {
  const entries = useOutbox()
  const facts = useSyncFacts()
  const [asked, setAsked] = useState(false)
  useEffect(() => {
    document.title = `${t('sync.title')} · ${t('app.name')}`
  })
  const rejected = entries?.filter((e) => e.status === 'rejected') ?? []
  const waiting = entries?.filter((e) => e.status === 'pending' || e.status === 'sending') ?? []
  const state = syncStateOf(facts)

  return (
    <main class="page sync-page" data-testid="sync-page">
      <a href="/" class="back">
        {t('sync.back')}
      </a>
      <h1>{t('sync.title')}</h1>
      <section class="card">
        <p data-testid="sync-page-state" data-state={state}>
          <strong>{syncStateText(facts)}</strong>
        </p>
        <p class="muted" data-testid="sync-last">
          {facts.syncedAt === null ? t('sync.never') : t('sync.last', { time: formatDateTime(facts.syncedAt) })}
        </p>
        {!facts.online && <p class="muted">{t('sync.offline_note')}</p>}
        <button
          type="button"
          class="ack-button"
          disabled={facts.running || asked}
          data-testid="sync-now"
          onClick={() => {
            setAsked(true)
            void requestSync().finally(() => setAsked(false))
          }}
        >
          {facts.running || asked ? t('sync.running') : t('sync.now')}
        </button>
      </section>

      <h2>{t('sync.rejected_title')}</h2>
      {entries === null && <Loading />}
      {entries !== null && rejected.length === 0 && (
        <p class="muted" data-testid="sync-rejected-empty">
          {t('sync.rejected_empty')}
        </p>
      )}
      {rejected.length > 0 && (
        <>
          <p class="muted">{t('sync.rejected_hint')}</p>
          <RejectedChanges entries={rejected} />
        </>
      )}

      <h2>{t('sync.pending_title')}</h2>
      <p class="muted" data-testid="sync-pending-count" data-count={String(waiting.length)}>
        {waiting.length === 0 ? t('sync.pending_none') : t('sync.pending_count', { count: waiting.length })}
      </p>
      {waiting.length > 0 && (
        <ul class="pending-list">
          {waiting.map((e) => (
            <li key={e.seq} data-testid="sync-pending-item" data-mutation-id={e.mutation.mutation_id}>
              {describeEntry(e)} <span class="muted">· {formatDateTime(e.created_at)}</span>
            </li>
          ))}
        </ul>
      )}
    </main>
  )
}
