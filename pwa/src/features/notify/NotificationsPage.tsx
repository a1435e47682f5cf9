// Notification settings (/settings/notifications), for every role: the user's own subscriptions (WeCom, WeChat,
// SMS, e-mail, … through apprise URLs) and system notifications on this device.
import { useEffect, useState } from 'preact/hooks'
import { NetworkError } from '../../platform/http'
import { t } from '../../platform/i18n'
import { onRetry } from '../../platform/online'
import { describeError, ErrorMessage, Loading } from '../../ui/feedback'
import { useLoad } from '../../ui/hooks'
import { readSites } from '../sites/data'
import { getSubscriptions } from './api'
import { SubscriptionCard } from './SubscriptionCard'
import { SubscriptionForm } from './SubscriptionForm'
import { PhoneCallSetting } from './PhoneCallSetting'
import { SystemNotifications } from './SystemNotifications'
import type { Subscription } from './types'

export function NotificationsPage() {
  const [load, reload] = useLoad(getSubscriptions, 'subscriptions')
  // For the site names and the site checkboxes; the saved copy when offline.
  const [sitesLoad] = useLoad(readSites, 'sites')
  useEffect(() => onRetry(reload), [])
  useEffect(() => {
    document.title = `${t('subs.title')} · ${t('app.name')}`
  })
  // The list as changed here (added, edited, deleted); replaced by each read.
  const [list, setList] = useState<Subscription[]>()
  useEffect(() => {
    if (load.state === 'ready') setList(load.value)
  }, [load])
  const [adding, setAdding] = useState(false)
  const [justAdded, setJustAdded] = useState<number>()

  const sites = sitesLoad.state === 'ready' ? sitesLoad.value.data : undefined
  const sitesFailed = sitesLoad.state === 'failed'
  const failed = load.state === 'failed' ? load.error : undefined

  return (
    <main class="page notifications-page">
      <a href="/" class="back">
        {t('common.back')}
      </a>
      <h1>{t('subs.title')}</h1>
      <p class="muted">{t('subs.intro')}</p>
      <div class="section-head">
        <h2>{t('subs.list_title')}</h2>
        {list && !adding && (
          <button type="button" class="button-link" onClick={() => setAdding(true)} data-testid="sub-add">
            {t('subs.add')}
          </button>
        )}
      </div>
      {adding && (
        <SubscriptionForm
          sites={sites}
          sitesFailed={sitesFailed}
          onSaved={(added) => {
            setList((current) => [...(current ?? []), added])
            setJustAdded(added.id)
            setAdding(false)
          }}
          onCancel={() => setAdding(false)}
        />
      )}
      {!list && load.state === 'loading' && <Loading />}
      {failed !== undefined && (
        <ErrorMessage text={failed instanceof NetworkError ? t('subs.offline') : describeError(failed)} onRetry={reload} />
      )}
      {list && list.length === 0 && !adding && (
        <p class="muted" data-testid="sub-empty">
          {t('subs.empty')}
        </p>
      )}
      {list && list.length > 0 && (
        <ul class="sub-list" data-testid="sub-list">
          {list.map((s) => (
            <SubscriptionCard
              key={s.id}
              subscription={s}
              sites={sites}
              sitesFailed={sitesFailed}
              justAdded={s.id === justAdded}
              onChanged={(next) => setList((current) => current?.map((x) => (x.id === next.id ? next : x)))}
              onDeleted={() => setList((current) => current?.filter((x) => x.id !== s.id))}
            />
          ))}
        </ul>
      )}
      <PhoneCallSetting />
      <SystemNotifications />
    </main>
  )
}
