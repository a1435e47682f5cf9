// The sync state in the header, on every page: "待同步 3 项", "同步中 12/40", "已同步 · 10:32", "离线 · 3 项待同步",
// "1 项未被接受". A link to the sync page, where the refused changes are read and dismissed.
import { SYNC_PATH } from '../../shell/router'
import { useSyncFacts } from './use-local'
import { syncStateOf, syncStateText } from './words'

export function SyncState() {
  const facts = useSyncFacts()
  const state = syncStateOf(facts)
  return (
    <a
      href={SYNC_PATH}
      class={`sync-state sync-${state}`}
      data-testid="sync-state"
      data-state={state}
      data-pending={String(facts.pending)}
      data-rejected={String(facts.rejected)}
    >
      {state === 'syncing' && <span class="spinner" aria-hidden="true" />}
      <span aria-live="polite" data-testid="sync-state-text">
        {syncStateText(facts)}
      </span>
    </a>
  )
}
