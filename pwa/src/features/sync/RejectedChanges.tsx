// Changes the server refused, each with what it was ("隐患 #12：验收通过"), the server's words, and "知道了": a
// refusal is never dropped without the user having seen it.
import { useState } from 'preact/hooks'
import { formatDateTime, t } from '../../platform/i18n'
import { hazardPath, inspectionPath } from '../../shell/router'
import { dismiss } from './outbox'
import { hazardOf, inspectionOf } from './overlay'
import type { OutboxEntry } from './records'
import { describeEntry } from './words'

/** Where the record a change was about is shown. */
function pathOf(entry: OutboxEntry): string | null {
  const id = entry.about.server_id
  const hazard = hazardOf(entry)
  if (hazard !== null) return hazardPath(typeof id === 'number' ? id : hazard)
  const inspection = inspectionOf(entry)
  if (inspection !== null) return inspectionPath(typeof id === 'number' ? id : inspection)
  return null
}

export function RejectedChange({ entry, link = true }: { entry: OutboxEntry; link?: boolean }) {
  const [busy, setBusy] = useState(false)
  const path = link ? pathOf(entry) : null
  const what = describeEntry(entry)
  return (
    <li
      class="card rejected-change"
      data-testid="sync-rejected"
      data-mutation-id={entry.mutation.mutation_id}
      data-entity={entry.mutation.entity}
      data-op={entry.mutation.op}
    >
      <p class="rejected-what" data-testid="sync-rejected-what">
        {path ? <a href={path}>{what}</a> : what}
      </p>
      <p class="rejected-reason" data-testid="sync-rejected-reason">
        {t('sync.rejected_reason', { reason: entry.reason ?? '—' })}
      </p>
      <p class="muted">{formatDateTime(entry.created_at)}</p>
      <button
        type="button"
        class="ack-button secondary"
        disabled={busy}
        data-testid="sync-rejected-dismiss"
        onClick={() => {
          setBusy(true)
          void dismiss([entry.seq as number]).finally(() => setBusy(false))
        }}
      >
        {t('sync.dismiss')}
      </button>
    </li>
  )
}

export function RejectedChanges({ entries, link = true }: { entries: readonly OutboxEntry[]; link?: boolean }) {
  return (
    <ul class="rejected-list" data-testid="sync-rejected-list">
      {entries.map((e) => (
        <RejectedChange key={e.seq} entry={e} link={link} />
      ))}
    </ul>
  )
}
