// Reporting a hazard: title, severity, description, photos and, for those who dispatch work, who fixes it by
// when. The rules are in hazards/form.ts; this renders them. The report is a `hazard` `create` mutation with an
// id made here (sync/writes.ts), so it works offline and its page opens at once.
import { useState } from 'preact/hooks'
import { formatDate, label, t } from '../../platform/i18n'
import { PhotoPicker, usePhotoQueue } from '../photos/Photos'
import { busy, hashesOf } from '../photos/upload'
import type { Site } from '../sites/types'
import { reportHazard } from '../sync/writes'
import { AssigneeSelect } from './AssigneeSelect'
import { checkReport, newReport, reportBody, TEXT_MAX, TITLE_MAX, type FieldErrors, type ReportForm } from './form'
import { dateInputValue, defaultDueText, dueFromDateInput, SEVERITIES } from './model'
import type { Assignee } from './types'

function FieldError({ errors, field }: { errors: FieldErrors; field: keyof FieldErrors }) {
  const text = errors[field]
  if (!text) return null
  return (
    <p class="form-error field-error" role="alert" data-testid={`hazard-form-error-${field}`} data-field={field}>
      {text}
    </p>
  )
}

interface Props {
  /** The sites to choose from; undefined while they are read. */
  sites: readonly Site[] | undefined
  /** Started from a site page: the site is fixed. */
  siteId: number | null
  /** Words to start from (a hazard reported from an alarm). */
  initial?: { title: string; description: string }
  mayAssign: boolean
  /** The new hazard's id on this device (its page is /hazards/{entity_id}). */
  onCreated: (entityId: string) => void
}

export function HazardForm({ sites, siteId, initial, mayAssign, onCreated }: Props) {
  const [form, setForm] = useState<ReportForm>(() => ({ ...newReport(siteId), ...initial }))
  const [assigneeTouched, setAssigneeTouched] = useState(false)
  const [people, setPeople] = useState<Assignee[]>([])
  const [queue, photos] = usePhotoQueue()
  const [errors, setErrors] = useState<FieldErrors>({})
  const [sending, setSending] = useState(false)
  const change = (part: Partial<ReportForm>) => setForm((f) => ({ ...f, ...part }))
  const uploading = busy(photos)
  const fixedSite = siteId !== null ? sites?.find((s) => s.id === siteId) : undefined

  // An inspector's finding goes to the site's responsible person unless they choose otherwise (story 3).
  function pickOwner(list: Assignee[]) {
    setPeople(list)
    if (assigneeTouched || form.assigneeId !== null) return
    const owner = list.find((a) => a.tier === 0)
    if (owner) change({ assigneeId: owner.id })
  }

  async function submit(event: Event) {
    event.preventDefault()
    const found = checkReport(form)
    setErrors(found)
    if (Object.keys(found).length) return
    setSending(true)
    try {
      const body = reportBody(form, hashesOf(photos), mayAssign)
      const site = sites?.find((s) => s.id === body.site_id)
      const assignee = people.find((p) => p.id === body.assignee_id)?.display_name ?? null
      const entry = await reportHazard(body, { site_name: site?.name ?? '', assignee })
      onCreated(entry.mutation.entity_id)
    } catch (error) {
      setErrors({ form: String(error) })
      setSending(false)
    }
  }

  const due = dueFromDateInput(form.dueDate)
  return (
    <form class="card step-form sub-form hazard-form" data-testid="hazard-form" onSubmit={submit} noValidate>
      {siteId !== null ? (
        <p data-testid="hazard-form-site-fixed">
          <span class="field-name">{t('hazard.site')}</span>
          <strong>{fixedSite?.name ?? t('subs.site_number', { id: String(siteId) })}</strong>
        </p>
      ) : (
        <label>
          <span>{t('hazard.site')}</span>
          <select
            value={form.siteId === null ? '' : String(form.siteId)}
            disabled={sending || !sites}
            aria-invalid={errors.site_id ? 'true' : undefined}
            onChange={(e) => {
              setAssigneeTouched(false)
              change({ siteId: e.currentTarget.value ? Number(e.currentTarget.value) : null, assigneeId: null })
            }}
            data-testid="hazard-form-site"
          >
            <option value="">{sites ? t('hazard.choose_site') : t('common.loading')}</option>
            {sites?.map((s) => (
              <option key={s.id} value={String(s.id)}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
      )}
      <FieldError errors={errors} field="site_id" />

      <label>
        <span>{t('hazard.form_title')}</span>
        <input
          type="text"
          maxLength={TITLE_MAX}
          value={form.title}
          placeholder={t('hazard.form_title_hint')}
          disabled={sending}
          aria-invalid={errors.title ? 'true' : undefined}
          onInput={(e) => change({ title: e.currentTarget.value })}
          data-testid="hazard-form-title"
        />
      </label>
      <FieldError errors={errors} field="title" />

      <fieldset data-testid="hazard-form-severity">
        <legend>{t('hazard.severity')}</legend>
        {SEVERITIES.map((s) => (
          <label key={s} class="choice-row">
            <input
              type="radio"
              name="hazard-severity"
              checked={form.severity === s}
              disabled={sending}
              onChange={() => change({ severity: s })}
              data-testid={`hazard-form-severity-${s}`}
            />
            <span>
              <span class={`badge severity-${s}`}>{label('severity', s)}</span>{' '}
              <span class="muted">{t(`hazard.severity_hint_${s}`)}</span>
            </span>
          </label>
        ))}
      </fieldset>
      <FieldError errors={errors} field="severity" />

      <label>
        <span>{t('hazard.description')}</span>
        <textarea
          rows={3}
          maxLength={TEXT_MAX}
          value={form.description}
          placeholder={t('hazard.description_hint')}
          disabled={sending}
          onInput={(e) => change({ description: e.currentTarget.value })}
          data-testid="hazard-form-description"
        />
      </label>
      <FieldError errors={errors} field="description" />

      <div class="field">
        <span class="field-name">{t('hazard.photos')}</span>
        <PhotoPicker queue={queue} items={photos} prefix="report" label={t('photo.take')} error={errors.attachments} disabled={sending} />
      </div>

      {mayAssign && form.siteId !== null && (
        <>
          <label>
            <span>{t('hazard.assignee')}</span>
            <AssigneeSelect
              key={form.siteId}
              siteId={form.siteId}
              value={form.assigneeId}
              onChange={(id) => {
                setAssigneeTouched(true)
                change({ assigneeId: id })
              }}
              onLoaded={pickOwner}
              allowNone
              testid="hazard-form-assignee"
              invalid={Boolean(errors.assignee_id)}
              disabled={sending}
            />
          </label>
          <FieldError errors={errors} field="assignee_id" />
          <label>
            <span>{t('hazard.due')}</span>
            <input
              type="date"
              value={form.dueDate}
              min={dateInputValue(Date.now())}
              disabled={sending}
              aria-invalid={errors.due ? 'true' : undefined}
              onInput={(e) => change({ dueDate: e.currentTarget.value })}
              data-testid="hazard-form-due"
            />
          </label>
        </>
      )}
      <p class="muted field-hint" data-testid="hazard-form-due-hint">
        {due === null ? defaultDueText(form.severity) : t('hazard.due_chosen', { date: formatDate(due * 1000) })}
      </p>
      <FieldError errors={errors} field="due" />
      <FieldError errors={errors} field="form" />

      <button type="submit" class="primary" disabled={sending || uploading} data-testid="hazard-form-submit">
        {sending ? t('hazard.sending') : uploading ? t('photo.wait') : t('hazards.report')}
      </button>
    </form>
  )
}
