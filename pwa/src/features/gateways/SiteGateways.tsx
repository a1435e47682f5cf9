// The site page's "联网传输装置": the site's GB/T 26875.3 transmission devices, each linking to its page, and a
// form to add one (name + address). Operators, installers and admins (commands.ts canSeeGateways).
import { useEffect, useState } from 'preact/hooks'
import { ApiError } from '../../platform/http'
import { formatRecent, t } from '../../platform/i18n'
import { gatewayPath } from '../../shell/router'
import { describeError } from '../../ui/feedback'
import { addGateway, getSiteGateways } from './api'
import type { Gateway } from './types'
import { groupAddress, normaliseAddress } from './words'
import './gateways.css'

interface FormErrors {
  name?: string
  address?: string
  form?: string
}

function AddForm({ siteId, onAdded }: { siteId: number; onAdded: (gateway: Gateway) => void }) {
  const [name, setName] = useState(t('gb.site.name_default'))
  const [address, setAddress] = useState('')
  const [errors, setErrors] = useState<FormErrors>({})
  const [sending, setSending] = useState(false)

  async function submit(event: Event) {
    event.preventDefault()
    const clean = normaliseAddress(address)
    const found: FormErrors = {}
    if (!name.trim()) found.name = t('gb.site.name_missing')
    if (!clean) found.address = t('gb.site.address_invalid')
    setErrors(found)
    if (found.name || found.address || !clean) return
    setSending(true)
    try {
      onAdded(await addGateway(siteId, { name: name.trim(), protocol: 'gb26875', address: clean }))
      setAddress('')
    } catch (e) {
      // A 400 is about the address unless it names the name; a 409 (address taken) is said above the button.
      if (e instanceof ApiError && e.status === 400) setErrors(e.field === 'name' ? { name: e.detail } : { address: e.detail })
      else if (e instanceof ApiError && e.status === 409) setErrors({ form: t('gb.site.address_taken', { detail: e.detail }) })
      else setErrors({ form: describeError(e) })
    } finally {
      setSending(false)
    }
  }

  return (
    <form class="gb-add" onSubmit={submit} data-testid="gateway-add-form">
      <label>
        <span class="field-name">{t('gb.site.name')}</span>
        <input type="text" maxLength={100} value={name} onInput={(e) => setName(e.currentTarget.value)} data-testid="gateway-add-name" />
      </label>
      {errors.name && <p class="gb-cell-error" role="alert" data-testid="gateway-add-error-name">{errors.name}</p>}
      <label>
        <span class="field-name">{t('gb.site.address')}</span>
        <input type="text" class="mono" autoComplete="off" spellcheck={false} value={address} placeholder={t('gb.site.address_hint')}
          onInput={(e) => setAddress(e.currentTarget.value)} data-testid="gateway-add-address" />
      </label>
      {errors.address && <p class="gb-cell-error" role="alert" data-testid="gateway-add-error-address">{errors.address}</p>}
      {errors.form && <p class="form-error" role="alert" data-testid="gateway-add-error">{errors.form}</p>}
      <div class="gb-actions">
        <button type="submit" class="ack-button" disabled={sending} data-testid="gateway-add-submit">{t('gb.site.submit')}</button>
      </div>
    </form>
  )
}

export function SiteGateways({ siteId }: { siteId: number }) {
  const [list, setList] = useState<Gateway[]>()
  const [error, setError] = useState('')
  const [adding, setAdding] = useState(false)
  const [added, setAdded] = useState<Gateway>()
  useEffect(() => {
    getSiteGateways(siteId).then(
      (all) => {
        setList(all)
        setError('')
      },
      (e: unknown) => setError(describeError(e)),
    )
  }, [siteId, added?.id])

  const shown = (list ?? []).filter((g) => g.protocol === 'gb26875' && g.revoked_at === null)
  return (
    <section class="site-gateways" data-testid="site-gateways">
      <div class="section-head">
        <h2>{t('gb.site.title')} <span class="muted">({shown.length})</span></h2>
        <button type="button" class="button-link" aria-expanded={adding} onClick={() => setAdding(!adding)} data-testid="gateway-add">
          {t('gb.site.add')}
        </button>
      </div>
      {error && <p class="form-error" data-testid="site-gateways-error">{t('gb.site.failed', { error })}</p>}
      {list && shown.length === 0 && <p class="muted" data-testid="site-gateways-empty">{t('gb.site.empty')}</p>}
      <ul class="plain-list gb-list">
        {shown.map((g) => (
          <li key={g.id} data-testid="site-gateway" data-gateway-id={String(g.id)} data-address={g.address ?? ''}>
            <a href={gatewayPath(g.id)} data-testid="site-gateway-link">{g.name}</a>{' '}
            <span class="mono muted">{g.address ? groupAddress(g.address) : ''}</span>
            {g.last_seen_at !== null && <span class="muted"> · {t('gb.site.last_seen', { time: formatRecent(g.last_seen_at * 1000) })}</span>}
          </li>
        ))}
      </ul>
      {added && <p role="status" data-testid="gateway-add-done">{t('gb.site.added', { name: added.name })} · <a href={gatewayPath(added.id)}>{groupAddress(added.address ?? '')}</a></p>}
      {adding && <AddForm siteId={siteId} onAdded={(g) => { setAdded(g); setAdding(false) }} />}
    </section>
  )
}
