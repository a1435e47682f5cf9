// The operator's alarm console (/console, story 4): a live queue of the alarms of every contracted site, the most
// urgent first, with a tone for each new unacknowledged one, filters kept in the address, bulk acknowledgement,
// dispatch to an electrician, and the owners' power-off requests on top. ?wall=1 is the control room's wall screen.
import { useEffect, useRef, useState } from 'preact/hooks'
import { label, t } from '../../platform/i18n'
import { getSession } from '../../platform/session'
import { alarmPath, navigate } from '../../shell/router'
import { describeError } from '../../ui/feedback'
import { TestBadge } from '../alarms/AlarmList'
import { isActive } from '../alarms/model'
import type { Alarm } from '../alarms/types'
import { UplinkPanel } from '../gateways/UplinkPanel'
import { ackMany, getCatchingUp, getConsoleAlarms, getPendingPowerOffs } from './api'
import { CompanyPicker } from './CompanyPicker'
import { DispatchForm } from './DispatchForm'
import {
  backlogLine,
  CAUSES,
  canUseConsole,
  consolePath,
  controlPath,
  countsByDistrict,
  districtsOf,
  elapsedText,
  isStale,
  keepSelection,
  LEVELS,
  needsAck,
  newArrivals,
  parseConsoleSearch,
  picksCompany,
  REFRESH_MS,
  secondsSince,
  sortQueue,
  unackedCount,
} from './model'
import { PowerOffPanel } from './PowerOffPanel'
import { isMuted, playTone, setMuted, soundReady, unlockSound } from './sound'
import type { BoxBacklog, ConsoleFilters, PowerOffRequest } from './types'

function Row({ alarm, now, selected, onSelect }: { alarm: Alarm; now: number; selected: boolean; onSelect: (on: boolean) => void }) {
  const [dispatching, setDispatching] = useState(false)
  const active = isActive(alarm)
  const urgent = needsAck(alarm)
  const lasting = ((alarm.cleared_at ?? now / 1000) - alarm.started_at)
  return (
    <li
      class={`console-row level-${alarm.level}${urgent ? ' unacked' : ''}${active ? '' : ' cleared'}`}
      data-testid="console-alarm"
      data-alarm-id={String(alarm.id)}
      data-unacked={String(urgent)}
      data-site-id={String(alarm.site_id)}
    >
      <div class="console-row-head">
        {urgent && (
          <input type="checkbox" checked={selected} aria-label={t('console.select')} onChange={(e) => onSelect(e.currentTarget.checked)} data-testid="console-select" />
        )}
        <span class={`badge badge-${alarm.level}`}>{label('status', alarm.level)}</span>
        <TestBadge alarm={alarm} />
        <strong class="console-site">{alarm.site_name || `#${alarm.site_id}`}</strong>
        {alarm.district && <span class="muted">{alarm.district}</span>}
      </div>
      <div>
        {label('cause', alarm.cause)} · {alarm.circuit || alarm.device_name}
      </div>
      <div class="muted console-facts">
        <span data-testid="console-age">{active ? t('console.lasting', { duration: elapsedText(lasting) }) : t('console.ended')}</span>
        {(alarm.escalations ?? 0) > 0 && <span class="pill" data-testid="console-rung">{t('console.rung', { count: alarm.escalations ?? 0 })}</span>}
        {alarm.acknowledged_at !== null && <span>{t('console.acked_by', { name: alarm.acknowledged_by ?? '—' })}</span>}
      </div>
      <div class="console-links">
        <a href={`/sites/${alarm.site_id}`} data-testid="console-site-link">{t('console.site')}</a>
        <a href={alarmPath(alarm.id)} data-testid="console-alarm-link">{t('console.alarm')}</a>
        <a
          href={controlPath(alarm.site_id, alarm.device_id)}
          title={t('console.control_hint', { device: alarm.circuit || alarm.device_name })}
          data-testid="console-control-link"
        >
          {t('console.control')}
        </a>
        {!alarm.test && (
          <button type="button" class="link-button" onClick={() => setDispatching(!dispatching)} data-testid="console-dispatch">
            {t('console.dispatch')}
          </button>
        )}
      </div>
      {dispatching && <DispatchForm alarm={alarm} onClose={() => setDispatching(false)} />}
    </li>
  )
}

/** Site boxes sending what they kept while the cloud was away (API.md "Site box and cloud"). */
function CatchingUp({ boxes }: { boxes: BoxBacklog[] }) {
  if (boxes.length === 0) return null
  return (
    <section class="card console-boxes" data-testid="console-boxes">
      {boxes.map((box) => {
        const line = backlogLine(box.backlog)
        return (
          <p key={box.id} class="muted" data-testid="console-box" data-site-id={String(box.site_id)}>
            {t(line.key, { site: box.site_name, count: line.count })}
          </p>
        )
      })}
    </section>
  )
}

function Select({ name, value, options, onChange }: { name: string; value: string; options: [string, string][]; onChange: (v: string) => void }) {
  return (
    <label>
      <span>{name}</span>
      <select value={value} onChange={(e) => onChange(e.currentTarget.value)} data-testid={`console-filter-${name}`}>
        <option value="">{t('console.all')}</option>
        {options.map(([code, text]) => (
          <option key={code} value={code}>
            {text}
          </option>
        ))}
      </select>
    </label>
  )
}

function Filters({ filters, alarms }: { filters: ConsoleFilters; alarms: Alarm[] }) {
  const set = (change: Partial<ConsoleFilters>) => navigate(consolePath({ ...filters, ...change }), { replace: true })
  const districts = districtsOf(alarms).map((d): [string, string] => [d.code, d.name])
  if (filters.district && !districts.some(([c]) => c === filters.district)) districts.push([filters.district, filters.district])
  return (
    <details class="card console-filters" open>
      <summary>{t('console.filters')}</summary>
      <div class="filter-grid">
        {picksCompany(getSession()?.user.role) && <CompanyPicker value={filters.company} onChange={(company) => set({ company })} />}
        <Select name={t('console.district')} value={filters.district ?? ''} options={districts} onChange={(v) => set({ district: v || undefined })} />
        <Select name={t('console.cause')} value={filters.cause ?? ''} options={CAUSES.map((c) => [c, label('cause', c)])} onChange={(v) => set({ cause: v || undefined })} />
        <Select name={t('console.level')} value={filters.level ?? ''} options={LEVELS.map((l) => [l, label('status', l)])} onChange={(v) => set({ level: v || undefined })} />
        <Select
          name={t('console.ack')}
          value={filters.ack ?? ''}
          options={[['no', t('console.ack_no')], ['yes', t('console.ack_yes')]]}
          onChange={(v) => set({ ack: v === 'yes' || v === 'no' ? v : undefined })}
        />
      </div>
    </details>
  )
}

function SoundToggle() {
  const [ready, setReady] = useState(soundReady())
  const [muted, setMute] = useState(isMuted())
  if (!ready) {
    return (
      <button type="button" class="topbar-link" onClick={() => void unlockSound().then(setReady)} data-testid="console-sound-enable">
        🔔 {t('console.sound_enable')}
      </button>
    )
  }
  return (
    <button
      type="button"
      class="topbar-link"
      aria-pressed={muted}
      data-testid="console-mute"
      onClick={() => {
        setMuted(!muted)
        setMute(!muted)
      }}
    >
      {muted ? `🔕 ${t('console.sound_off')}` : `🔔 ${t('console.sound_on')}`}
    </button>
  )
}

function Wall({ alarms, now }: { alarms: Alarm[]; now: number }) {
  const tiles = countsByDistrict(alarms)
  const urgent = alarms.filter(needsAck).slice(0, 6)
  return (
    <section class="console-wall" data-testid="console-wall">
      <div class="wall-tiles">
        {tiles.map((d) => (
          <div key={d.code} class={`wall-tile${d.unacked ? ' unacked' : ''}`} data-testid="wall-district" data-district={d.code}>
            <div class="wall-name">{d.name}</div>
            <div class="wall-count">{d.unacked}</div>
            <div>{t('console.district_counts', { active: d.active, unacked: d.unacked })}</div>
          </div>
        ))}
      </div>
      <ul class="wall-list">
        {urgent.map((a) => (
          <li key={a.id} class={`level-${a.level}`}>
            <strong>{a.site_name}</strong> {a.district} · {label('cause', a.cause)} · {elapsedText(now / 1000 - a.started_at)}
          </li>
        ))}
      </ul>
    </section>
  )
}

export function ConsolePage({ search }: { search: string }) {
  const filters = parseConsoleSearch(search)
  const query = consolePath({ ...filters, wall: false })
  const [alarms, setAlarms] = useState<Alarm[]>()
  const [pending, setPending] = useState<PowerOffRequest[]>([])
  const [boxes, setBoxes] = useState<BoxBacklog[]>([])
  const [fetchedAt, setFetchedAt] = useState(0)
  const [failure, setFailure] = useState('')
  const [now, setNow] = useState(Date.now())
  const [alerts, setAlerts] = useState(0)
  const [selected, setSelected] = useState<Set<number>>(new Set())
  const [note, setNote] = useState('')
  const [ackResult, setAckResult] = useState('')
  const known = useRef(new Set<number>())
  const first = useRef(true)
  const read = useRef<() => Promise<void>>(async () => undefined)

  read.current = async () => {
    try {
      const [list, requests, catching] = await Promise.all([getConsoleAlarms(filters), getPendingPowerOffs(), getCatchingUp()])
      const arrived = newArrivals(known.current, list, first.current)
      first.current = false
      for (const a of list) known.current.add(a.id)
      if (arrived.length > 0 && !isMuted()) {
        playTone()
        setAlerts((n) => n + 1)
      }
      setAlarms(sortQueue(list))
      setSelected((s) => keepSelection(s, list))
      setPending(requests)
      setBoxes(catching)
      setFetchedAt(Date.now())
      setFailure('')
    } catch (e) {
      setFailure(describeError(e))
    }
  }

  useEffect(() => {
    document.title = `${t('console.title')} · ${t('app.name')}`
    first.current = true
    known.current = new Set()
    void read.current()
    const timer = setInterval(() => void read.current(), REFRESH_MS)
    return () => clearInterval(timer)
  }, [query])
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000)
    return () => clearInterval(timer)
  }, [])

  async function acknowledge(event: Event) {
    event.preventDefault()
    try {
      const answer = await ackMany([...selected], note.trim())
      const skipped = answer.results.length - answer.acknowledged
      setAckResult(t('console.bulk_done', { done: answer.acknowledged }) + (skipped ? ` · ${t('console.bulk_skipped', { count: skipped })}` : ''))
      setSelected(new Set())
      setNote('')
      await read.current()
    } catch (e) {
      setAckResult(describeError(e))
    }
  }

  const list = alarms ?? []
  const unacked = unackedCount(list)
  const wall = filters.wall === true
  return (
    <main class={`page console-page${wall ? ' wall' : ''}`} data-testid="console" data-alerts={String(alerts)}>
      <div class="console-head">
        <h1>{t('console.title')}</h1>
        <span class={`pill${unacked ? ' unacked' : ''}`} data-testid="console-unacked" data-count={String(unacked)}>
          {t('console.unacked', { count: unacked })}
        </span>
        <span class="pill">{t('console.active', { count: list.filter(isActive).length })}</span>
        <span class={`muted${failure && isStale(fetchedAt, now) ? ' form-error' : ''}`} data-testid="console-updated" role="status">
          {fetchedAt ? t('console.updated', { seconds: secondsSince(fetchedAt, now) }) : t('common.loading')}
          {failure && ` · ${t('console.stale')}`}
        </span>
        <SoundToggle />
        <a href={consolePath({ ...filters, wall: !wall })} class="topbar-link" data-testid="console-wall-toggle">
          {wall ? t('console.wall_exit') : t('console.wall')}
        </a>
      </div>
      {wall ? (
        <Wall alarms={list} now={now} />
      ) : (
        <>
          {canUseConsole(getSession()?.user.role) && <UplinkPanel />}
          <CatchingUp boxes={boxes} />
          <PowerOffPanel pending={pending} onAnswered={() => void read.current()} />
          <Filters filters={filters} alarms={list} />
          {unacked > 0 && (
            <form class="card console-bulk" onSubmit={acknowledge} data-testid="console-bulk">
              <button type="button" class="link-button" onClick={() => setSelected(new Set(list.filter(needsAck).map((a) => a.id)))} data-testid="console-select-all">
                {t('console.select_all')}
              </button>
              <span>{t('console.selected', { count: selected.size })}</span>
              <input type="text" maxLength={500} value={note} placeholder={t('console.bulk_note_hint')} aria-label={t('console.bulk_note')} onInput={(e) => setNote(e.currentTarget.value)} data-testid="console-bulk-note" />
              <button type="submit" class="ack-button" disabled={selected.size === 0} data-testid="console-bulk-ack">
                {t('console.bulk_ack')}
              </button>
            </form>
          )}
          {ackResult && <p role="status" data-testid="console-bulk-result">{ackResult}</p>}
          {alarms && list.length === 0 && <p class="muted">{t('console.empty')}</p>}
          <ul class="plain-list console-queue" data-testid="console-queue">
            {list.map((a) => (
              <Row
                key={a.id}
                alarm={a}
                now={now}
                selected={selected.has(a.id)}
                onSelect={(on) => setSelected((s) => { const next = new Set(s); if (on) next.add(a.id); else next.delete(a.id); return next })}
              />
            ))}
          </ul>
        </>
      )}
    </main>
  )
}
