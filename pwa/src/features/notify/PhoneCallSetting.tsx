// The phone number on the notifications page: what it means ("未确认的报警将在第一级升级后电话通知您"), and
// whether this server calls at all (GET /api/v1/me/phone-call); saved with PATCH /api/v1/me.
import { useEffect, useState } from 'preact/hooks'
import { ApiError } from '../../platform/http'
import { formatDuration, t } from '../../platform/i18n'
import { describeError } from '../../ui/feedback'
import { useLoad } from '../../ui/hooks'
import { getPhoneCall, setPhone } from './api'
import { normalizePhone } from './phone'

export function PhoneCallSetting() {
  const [load] = useLoad(getPhoneCall, 'phone-call')
  const [value, setValue] = useState('')
  const [error, setError] = useState<string>()
  const [saved, setSaved] = useState<string>()
  const [busy, setBusy] = useState(false)
  useEffect(() => {
    if (load.state === 'ready') setValue(load.value.phone)
  }, [load])
  if (load.state !== 'ready') return null
  const info = load.value

  async function save(event: Event) {
    event.preventDefault()
    setSaved(undefined)
    const phone = normalizePhone(value)
    if (phone === null) {
      setError(t('phone.invalid'))
      return
    }
    setBusy(true)
    try {
      const user = await setPhone(phone)
      setValue(user.phone)
      setError(undefined)
      setSaved(user.phone ? t('phone.saved') : t('phone.removed'))
    } catch (e) {
      setError(e instanceof ApiError && e.field === 'phone' ? t('phone.invalid') : describeError(e))
    } finally {
      setBusy(false)
    }
  }

  return (
    <section class="card phone-call" data-testid="phone-call">
      <h2>{t('phone.title')}</h2>
      <p data-testid="phone-meaning">
        {info.called ? t('phone.meaning', { after: formatDuration(info.after_s) }) : t('phone.not_called')}
      </p>
      {info.called && !info.available && <p class="muted">{t('phone.unavailable')}</p>}
      <form onSubmit={save} class="phone-form">
        <label>
          {t('phone.label')}
          <input
            type="tel"
            inputMode="tel"
            autoComplete="tel"
            name="phone"
            data-testid="phone-input"
            placeholder={t('phone.placeholder')}
            value={value}
            onInput={(e) => setValue((e.target as HTMLInputElement).value)}
            aria-invalid={error ? 'true' : undefined}
          />
        </label>
        <button type="submit" class="button" disabled={busy} data-testid="phone-save">
          {t('phone.save')}
        </button>
      </form>
      {error && (
        <p class="error" role="alert" data-testid="phone-error">
          {error}
        </p>
      )}
      {saved && (
        <p class="muted" role="status" data-testid="phone-saved">
          {saved}
        </p>
      )}
    </section>
  )
}
