// 查岗, 校时 and 初始化 (behind a confirmation) for one transmission device: off with the reason while it is
// offline; after sending, the command's state is read again until it is final (commands.ts nextPoll).
import { useEffect, useRef, useState } from 'preact/hooks'
import { t } from '../../platform/i18n'
import { describeError, Working } from '../../ui/feedback'
import { getCommand, sendCommand } from './api'
import { blockedReason, commandBody, commandErrorText, DUTY_TIMEOUT_DEFAULT, isFinal, nextPoll, pollLimitMs, timeoutOk } from './commands'
import type { Command, CommandKind } from './types'
import { kindWord, stateWord } from './words'

interface Tracked {
  command: Command
  sentHere: number
  limitMs: number
  gaveUp: boolean
}

/** Follow one command until its state is final or the limit has passed; stops when the component goes. */
function useTracked(gatewayId: number, onChange: () => void): [Tracked | undefined, (command: Command, limitMs: number) => void] {
  const [tracked, setTracked] = useState<Tracked>()
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined)
  useEffect(() => () => clearTimeout(timer.current), [])
  useEffect(() => {
    if (!tracked || tracked.gaveUp) return
    const delay = nextPoll(tracked.command, Date.now() - tracked.sentHere, tracked.limitMs)
    if (delay === null) {
      if (!isFinal(tracked.command)) setTracked({ ...tracked, gaveUp: true })
      onChange()
      return
    }
    timer.current = setTimeout(() => {
      getCommand(gatewayId, tracked.command.id).then(
        (command) => setTracked((now) => (now && now.command.id === command.id ? { ...now, command } : now)),
        // No answer this time: try again on the same schedule (the limit still ends it).
        () => setTracked((now) => (now ? { ...now } : now)),
      )
    }, delay)
    return () => clearTimeout(timer.current)
  }, [tracked])
  return [tracked, (command, limitMs) => setTracked({ command, sentHere: Date.now(), limitMs, gaveUp: false })]
}

function InitialiseConfirm({ onYes, onNo }: { onYes: () => void; onNo: () => void }) {
  return (
    <div class="gb-confirm" role="alertdialog" aria-labelledby="gb-init-text" data-testid="command-init-confirm">
      <p id="gb-init-text" data-testid="command-init-text">{t('gb.cmd.init_confirm')}</p>
      <div class="gb-actions">
        <button type="button" class="ack-button danger" onClick={onYes} data-testid="command-init-yes">{t('gb.cmd.init_yes')}</button>
        <button type="button" class="link-button" onClick={onNo} data-testid="command-init-no">{t('gb.cmd.cancel')}</button>
      </div>
    </div>
  )
}

function Outcome({ tracked }: { tracked: Tracked }) {
  const { command } = tracked
  const final = isFinal(command)
  return (
    <div role="status" data-testid="command-result" data-kind={command.kind} data-state={command.state} data-final={String(final)}>
      <strong>{kindWord(command.kind)}</strong>
      {' · '}
      <span class={`pill${command.state === 'denied' || command.state === 'no_answer' ? ' outcome-failed' : final ? ' outcome-done' : ''}`} data-testid="command-result-state">
        {stateWord(command.state)}
      </span>
      {!final && !tracked.gaveUp && <Working text={t('gb.cmd.waiting')} testid="command-waiting" />}
      {tracked.gaveUp && <p class="muted" data-testid="command-gave-up">{t('gb.cmd.gave_up')}</p>}
    </div>
  )
}

export function GatewayCommands({ gatewayId, connected, onSent }: { gatewayId: number; connected: boolean; onSent: () => void }) {
  const [timeout, setTimeoutText] = useState(String(DUTY_TIMEOUT_DEFAULT))
  const [confirming, setConfirming] = useState(false)
  const [sending, setSending] = useState<CommandKind>()
  const [error, setError] = useState('')
  const [tracked, track] = useTracked(gatewayId, onSent)
  const reason = blockedReason(connected)
  const blocked = reason !== '' || sending !== undefined

  async function send(kind: CommandKind) {
    if (kind === 'duty_check' && !timeoutOk(timeout)) return
    setConfirming(false)
    setSending(kind)
    setError('')
    try {
      const minutes = kind === 'duty_check' ? Number(timeout.trim()) : undefined
      const command = await sendCommand(gatewayId, commandBody(kind, minutes))
      track(command, pollLimitMs(kind, minutes))
      onSent()
    } catch (e) {
      setError(commandErrorText(e, describeError))
    } finally {
      setSending(undefined)
    }
  }

  return (
    <section class="card" data-testid="gateway-commands" data-blocked={String(reason !== '')}>
      <h2>{t('gb.cmd.title')}</h2>
      {reason && <p class="muted" role="note" data-testid="command-blocked-reason">{reason}</p>}
      <div class="gb-actions">
        <label>
          <span class="field-name">{t('gb.cmd.timeout')}</span>
          <input type="number" min={1} max={255} step={1} value={timeout} onInput={(e) => setTimeoutText(e.currentTarget.value)} data-testid="command-timeout" />
        </label>
        <button type="button" class="ack-button" disabled={blocked || !timeoutOk(timeout)} title={reason || undefined}
          onClick={() => void send('duty_check')} data-testid="command-duty-check">
          {t('gb.cmd.duty_check')}
        </button>
        <button type="button" class="ack-button secondary" disabled={blocked} title={reason || undefined}
          onClick={() => void send('sync_clock')} data-testid="command-sync-clock">
          {t('gb.cmd.sync_clock')}
        </button>
        <button type="button" class="ack-button danger" disabled={blocked || confirming} title={reason || undefined}
          onClick={() => setConfirming(true)} data-testid="command-initialise">
          {t('gb.cmd.initialise')}
        </button>
      </div>
      {!timeoutOk(timeout) && <p class="gb-cell-error" data-testid="command-timeout-error">{t('gb.cmd.timeout_invalid')}</p>}
      {confirming && <InitialiseConfirm onYes={() => void send('initialise')} onNo={() => setConfirming(false)} />}
      {sending && <Working text={t('gb.cmd.sending')} testid="command-sending" />}
      {error && <p class="form-error" role="alert" data-testid="command-error">{error}</p>}
      {tracked && <Outcome tracked={tracked} />}
    </section>
  )
}
