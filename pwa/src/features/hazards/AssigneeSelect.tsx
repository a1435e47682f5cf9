// Who fixes it: the people who may take the site's hazards (GET /sites/{id}/hazard-rules/assignees), grouped
// 业主 / 运营单位 / 网格员. Only for those who may assign.
import { useEffect } from 'preact/hooks'
import { label, t } from '../../platform/i18n'
import { useLoad } from '../../ui/hooks'
import { getAssignees } from './api'
import { groupAssignees, refusalText } from './model'
import type { Assignee } from './types'

interface Props {
  siteId: number
  value: number | null
  onChange: (id: number | null) => void
  /** Called once the list is read (to pick a default). */
  onLoaded?: (list: Assignee[]) => void
  /** Offer "not yet" (the hazard stays 待指派); the reassignment needs someone. */
  allowNone: boolean
  testid: string
  invalid?: boolean
  disabled?: boolean
}

export function AssigneeSelect({ siteId, value, onChange, onLoaded, allowNone, testid, invalid, disabled }: Props) {
  const [load, reload] = useLoad(() => getAssignees(siteId), siteId)
  const list = load.state === 'ready' ? load.value : undefined
  useEffect(() => {
    if (list) onLoaded?.(list)
  }, [list])

  if (load.state === 'failed') {
    return (
      <p class="form-error field-error" role="alert" data-testid={`${testid}-error`}>
        {refusalText(load.error)}{' '}
        <button type="button" class="link-button" onClick={reload}>
          {t('offline.retry')}
        </button>
      </p>
    )
  }
  return (
    <select
      data-testid={testid}
      value={value === null ? '' : String(value)}
      disabled={disabled || !list}
      aria-invalid={invalid ? 'true' : undefined}
      onChange={(e) => onChange(e.currentTarget.value ? Number(e.currentTarget.value) : null)}
    >
      {!list && <option value="">{t('common.loading')}</option>}
      {list && (allowNone || value === null) && (
        <option value="">{allowNone ? t('hazard.assign_later') : t('hazard.choose_assignee')}</option>
      )}
      {list &&
        groupAssignees(list).map((group) => (
          <optgroup key={group.tier} label={label('tier', String(group.tier))}>
            {group.people.map((p) => (
              <option key={p.id} value={String(p.id)}>
                {t('hazard.person_role', { name: p.display_name, role: label('role', p.role) })}
              </option>
            ))}
          </optgroup>
        ))}
    </select>
  )
}
