// The mark next to what was changed on this device and is not on the server yet (hazards, inspection items).
import { t } from '../../platform/i18n'

/** "待同步": shown next to what was changed on this device and is not on the server yet. */
export function PendingMark() {
  return (
    <span class="pending-mark" data-testid="pending-mark">
      {t('sync.pending_mark')}
    </span>
  )
}
