// A site's status as a coloured badge (正常, 预警, 报警, 故障, 离线, 已断电), on the site list and the site page.
import { label } from '../../platform/i18n'
import type { SiteStatus } from './types'

export function StatusBadge({ status }: { status: SiteStatus }) {
  return (
    <span class={`badge badge-${status}`} data-testid="site-status" data-status={status}>
      {label('status', status)}
    </span>
  )
}
