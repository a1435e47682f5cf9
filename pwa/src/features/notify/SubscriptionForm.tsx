// Adding or editing one notification subscription. The rules (checks, request bodies, where a refusal
// belongs) are in notify/subscription-form.ts; this renders them.
import { useState } from 'preact/hooks'
import { ApiError, NetworkError } from '../../platform/http'
import { formatDuration, getLanguage, t } from '../../platform/i18n'
import type { Site } from '../sites/types'
import { createSubscription, updateSubscription } from './api'
import {
  checkForm,
  createBody,
  digestChoices,
  errorsOf,
  formOf,
  LABEL_MAX,
  langText,
  levelHint,
  levelName,
  LEVELS,
  newForm,
  NOTIFY_LANGS,
  patchBody,
  URL_EXAMPLES,
  type FieldErrors,
  type SubscriptionField,
  type SubscriptionForm as Form,
} from './subscription-form'
import type { NotifyLang, NotifyLevel, Subscription } from './types'

function FieldError({ errors, field }: { errors: FieldErrors; field: SubscriptionField | 'form' }) {
  const text = errors[field]
  if (!text) return null
  return (
    <p class="form-error field-error" role="alert" data-testid={`sub-error-${field}`} data-field={field}>
      {text}
    </p>
  )
}

function UrlHelp() {
  return (
    <div class="url-help" id="sub-url-help" data-testid="sub-url-help">
      <p class="muted">{t('subs.url_hint')}</p>
      <p class="url-help-title">{t('subs.url_examples')}</p>
      <ul>
        {URL_EXAMPLES.map((e) => (
          <li key={e.example}>
            <code class="mono">{e.example}</code>
            <span class="muted">{t(e.text)}</span>
          </li>
        ))}
      </ul>
    </div>
  )
}

interface SitesProps {
  form: Form
  sites: readonly Site[] | undefined
  sitesFailed: boolean
  onChange: (change: Partial<Form>) => void
}

function SiteChoice({ form, sites, sitesFailed, onChange }: SitesProps) {
  // The user's sites, plus any the subscription names that are no longer in the list (so they can be removed).
  const known = new Set((sites ?? []).map((s) => s.id))
  const choices = [
    ...(sites ?? []).map((s) => ({ id: s.id, name: s.name })),
    ...form.siteIds.filter((id) => !known.has(id)).map((id) => ({ id, name: t('subs.site_number', { id: String(id) }) })),
  ]
  const toggle = (id: number, on: boolean) =>
    onChange({ siteIds: on ? [...form.siteIds, id] : form.siteIds.filter((x) => x !== id) })
  return (
    <fieldset data-testid="sub-sites">
      <legend>{t('subs.sites')}</legend>
      <label class="choice-row">
        <input
          type="radio"
          name="sub-sites"
          checked={form.allSites}
          onChange={() => onChange({ allSites: true })}
          data-testid="sub-sites-all"
        />
        <span>{t('subs.all_sites_choice')}</span>
      </label>
      <label class="choice-row">
        <input
          type="radio"
          name="sub-sites"
          checked={!form.allSites}
          onChange={() => onChange({ allSites: false })}
          data-testid="sub-sites-some"
        />
        <span>{t('subs.some_sites')}</span>
      </label>
      {!form.allSites && (
        <div class="site-choices">
          {sitesFailed && <p class="muted">{t('subs.sites_unavailable')}</p>}
          {!sites && !sitesFailed && <p class="muted">{t('common.loading')}</p>}
          {choices.map((c) => (
            <label key={c.id} class="choice-row">
              <input
                type="checkbox"
                checked={form.siteIds.includes(c.id)}
                onChange={(e) => toggle(c.id, e.currentTarget.checked)}
                data-testid="sub-site"
                data-site-id={String(c.id)}
              />
              <span>{c.name}</span>
            </label>
          ))}
        </div>
      )}
    </fieldset>
  )
}

function LevelChoice({ form, onChange }: { form: Form; onChange: (change: Partial<Form>) => void }) {
  const toggle = (level: NotifyLevel, on: boolean) =>
    onChange({ levels: on ? [...form.levels, level] : form.levels.filter((l) => l !== level) })
  return (
    <fieldset data-testid="sub-levels">
      <legend>{t('subs.levels')}</legend>
      {LEVELS.map((level) => (
        <label key={level} class="choice-row">
          <input
            type="checkbox"
            checked={form.levels.includes(level)}
            onChange={(e) => toggle(level, e.currentTarget.checked)}
            data-testid={`sub-level-${level}`}
          />
          <span class={`badge badge-${level}`}>{levelName(level)}</span>
          <span class="muted">{t(levelHint(level))}</span>
        </label>
      ))}
    </fieldset>
  )
}

interface FormProps {
  /** Editing this one; without it, adding a new one. */
  original?: Subscription
  sites: readonly Site[] | undefined
  sitesFailed: boolean
  onSaved: (subscription: Subscription) => void
  onCancel: () => void
}

export function SubscriptionForm({ original, sites, sitesFailed, onSaved, onCancel }: FormProps) {
  const mode = original ? 'edit' : 'create'
  const [form, setForm] = useState<Form>(() => (original ? formOf(original) : newForm(getLanguage())))
  const [errors, setErrors] = useState<FieldErrors>({})
  const [saving, setSaving] = useState(false)
  const change = (part: Partial<Form>) => setForm((f) => ({ ...f, ...part }))

  async function submit(event: Event) {
    event.preventDefault()
    const found = checkForm(form, mode)
    setErrors(found)
    if (Object.keys(found).length > 0) return
    setSaving(true)
    try {
      if (!original) onSaved(await createSubscription(createBody(form)))
      else {
        const patch = patchBody(form, original)
        onSaved(Object.keys(patch).length === 0 ? original : await updateSubscription(original.id, patch))
      }
    } catch (e) {
      if (e instanceof ApiError) setErrors(errorsOf(e))
      else if (e instanceof NetworkError) setErrors({ form: t('subs.error_offline') })
      else setErrors({ form: String(e) })
      setSaving(false)
    }
  }

  return (
    <form class="card sub-form step-form" data-testid="sub-form" data-mode={mode} onSubmit={submit} noValidate>
      <h3>{mode === 'create' ? t('subs.add_title') : t('subs.edit_title')}</h3>
      {original ? (
        <div class="sub-url-fixed">
          <span class="field-name">{t('subs.url')}</span>
          <div class="mono">{original.url_masked}</div>
          <p class="muted" data-testid="sub-url-fixed">
            {t('subs.url_fixed')}
          </p>
        </div>
      ) : (
        <>
          <label>
            <span>{t('subs.url')}</span>
            <input
              type="text"
              inputMode="url"
              autoComplete="off"
              autoCapitalize="off"
              spellcheck={false}
              value={form.url}
              placeholder="wecombot://KEY"
              aria-invalid={errors.url ? 'true' : 'false'}
              aria-describedby="sub-url-help"
              onInput={(e) => change({ url: e.currentTarget.value })}
              data-testid="sub-url"
            />
          </label>
          <FieldError errors={errors} field="url" />
          <UrlHelp />
        </>
      )}
      <label>
        <span>{t('subs.label')}</span>
        <input
          type="text"
          maxLength={LABEL_MAX}
          value={form.label}
          placeholder={t('subs.label_hint')}
          aria-invalid={errors.label ? 'true' : 'false'}
          onInput={(e) => change({ label: e.currentTarget.value })}
          data-testid="sub-label"
        />
      </label>
      <FieldError errors={errors} field="label" />
      <SiteChoice form={form} sites={sites} sitesFailed={sitesFailed} onChange={change} />
      <FieldError errors={errors} field="site_ids" />
      <LevelChoice form={form} onChange={change} />
      <FieldError errors={errors} field="levels" />
      <label>
        <span>{t('subs.lang')}</span>
        <select
          value={form.lang}
          onChange={(e) => change({ lang: e.currentTarget.value as NotifyLang })}
          data-testid="sub-lang"
        >
          {NOTIFY_LANGS.map((lang) => (
            <option key={lang} value={lang}>
              {langText(lang)}
            </option>
          ))}
        </select>
      </label>
      <FieldError errors={errors} field="lang" />
      <label>
        <span>{t('subs.digest')}</span>
        <select
          value={String(form.digestS)}
          onChange={(e) => change({ digestS: Number(e.currentTarget.value) })}
          data-testid="sub-digest"
        >
          {digestChoices(form.digestS).map((s) => (
            <option key={s} value={String(s)}>
              {formatDuration(s)}
            </option>
          ))}
        </select>
      </label>
      <p class="muted field-hint">{t('subs.digest_hint')}</p>
      <FieldError errors={errors} field="digest_interval_s" />
      <fieldset data-testid="sub-quiet-hours">
        <legend>{t('subs.quiet')}</legend>
        <label class="choice-row">
          <input
            type="checkbox"
            checked={form.quiet}
            onChange={(e) => change({ quiet: e.currentTarget.checked })}
            data-testid="sub-quiet"
          />
          <span>{t('subs.quiet_on')}</span>
        </label>
        {form.quiet && (
          <div class="quiet-times">
            <label>
              <span>{t('subs.quiet_from')}</span>
              <input
                type="time"
                value={form.quietStart}
                onInput={(e) => change({ quietStart: e.currentTarget.value })}
                data-testid="sub-quiet-start"
              />
            </label>
            <label>
              <span>{t('subs.quiet_to')}</span>
              <input
                type="time"
                value={form.quietEnd}
                onInput={(e) => change({ quietEnd: e.currentTarget.value })}
                data-testid="sub-quiet-end"
              />
            </label>
          </div>
        )}
        <p class="muted field-hint" data-testid="sub-quiet-note">
          {t('subs.quiet_note')}
        </p>
        <FieldError errors={errors} field="quiet_start" />
      </fieldset>
      <FieldError errors={errors} field="form" />
      <div class="step-actions">
        <button type="submit" class="ack-button" disabled={saving} data-testid="sub-save">
          {saving ? t('subs.saving') : t('subs.save')}
        </button>
        <button type="button" class="link-button" disabled={saving} onClick={onCancel} data-testid="sub-cancel">
          {t('subs.cancel')}
        </button>
      </div>
    </form>
  )
}
