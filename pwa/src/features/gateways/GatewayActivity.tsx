// What a transmission device sent lately (events, newest first) and the commands sent to it.
import { formatRecent, t } from '../../platform/i18n'
import type { Command, Gb26875Event } from './types'
import { summaryLines } from './summary'
import { frameWords, kindWord, stateWord } from './words'

export function GatewayEvents({ events, error }: { events: Gb26875Event[] | undefined; error: string }) {
  const list = [...(events ?? [])].sort((a, b) => b.received_at - a.received_at || b.id - a.id)
  return (
    <section class="card" data-testid="gateway-events">
      <h2>{t('gb.events.title')}</h2>
      {error && <p class="form-error" data-testid="gateway-events-error">{t('gb.events.failed', { error })}</p>}
      {events && list.length === 0 && <p class="muted" data-testid="gateway-events-empty">{t('gb.events.empty')}</p>}
      <ul class="plain-list gb-list">
        {list.map((e) => (
          <li key={e.id} data-testid="gateway-event" data-event-id={String(e.id)} data-command={String(e.command)} data-type={e.type === null ? '' : String(e.type)}>
            <span class="muted" data-testid="gateway-event-time" title={e.device_time === null ? undefined : e.device_time.replace('T', ' ')}>
              {formatRecent(e.received_at * 1000)}
            </span>{' '}
            <strong data-testid="gateway-event-type">{frameWords(e)}</strong>
            <div class="muted" data-testid="gateway-event-summary">
              {summaryLines(e.summary).map((line, i) => (
                <div key={i}>{line}</div>
              ))}
            </div>
          </li>
        ))}
      </ul>
    </section>
  )
}

export function RecentCommands({ commands }: { commands: Command[] }) {
  const list = [...commands].sort((a, b) => b.sent_at - a.sent_at || b.id - a.id)
  return (
    <section class="card" data-testid="gateway-recent-commands">
      <h2>{t('gb.cmd.recent')}</h2>
      {list.length === 0 && <p class="muted" data-testid="gateway-commands-empty">{t('gb.cmd.none')}</p>}
      <ul class="plain-list gb-list">
        {list.map((c) => (
          <li key={c.id} data-testid="gateway-command" data-command-id={String(c.id)} data-kind={c.kind} data-state={c.state}>
            <strong>{kindWord(c.kind)}</strong> · {stateWord(c.state)}{' '}
            <span class="muted">{t('gb.cmd.at', { time: formatRecent(c.sent_at * 1000) })}</span>
          </li>
        ))}
      </ul>
    </section>
  )
}
