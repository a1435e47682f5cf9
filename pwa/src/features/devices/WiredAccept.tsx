// The acceptance of a wired device after registration (建设一个、验收一个、合格一个): the same commissioning record
// and signed checklist as over Bluetooth (AcceptFields). The steps before the checklist are done by the site box at
// once for a wired device (it answered at its link; no identify or self-test coils) and are listed with their reasons.
import { useEffect, useState } from 'preact/hooks'
import { ApiError, NetworkError } from '../../platform/http'
import { label, t } from '../../platform/i18n'
import { Working } from '../../ui/feedback'
import { getAcceptance, runStep, type StepBodies } from './api'
import { acceptBlockerText, acceptBody, stepOf, type Answers } from './commission'
import { AcceptFields, SignedRecord } from './AcceptForm'
import { uploadEvidence } from './evidence'
import { refusalText } from './refusal'
import type { Commissioning, Device, StepName } from './types'
import { startWiredCommissioning } from './wired-api'
import { acceptStage, autoStepFailure, autoStepReason, nextAutoStep, signedBy } from './wired-accept'

const EMPTY: { [S in Exclude<StepName, 'accept'>]: StepBodies[S] } = {
  pair: {},
  identify: {},
  live_read: {},
  self_test: {},
  thresholds: { channels: {} }, // the device's own levels are written above (DeviceLevels)
}

function errorText(error: unknown, commissioning?: Commissioning): string {
  if (error instanceof ApiError) return refusalText(error, commissioning?.checklist ?? [])
  if (error instanceof NetworkError) return t('wired.no_answer')
  return String(error)
}

export function WiredAccept({ device }: { device: Device }) {
  const [commissioning, setCommissioning] = useState<Commissioning>()
  const [answers, setAnswers] = useState<Answers>({})
  const [signature, setSignature] = useState('')
  const [drawn, setDrawn] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState('')
  const stage = acceptStage(commissioning, device.state)

  // A device accepted before: its signed record, to show who signed and the drawn signature.
  useEffect(() => {
    if (device.state !== 'commissioned' || commissioning) return
    let current = true
    getAcceptance(device.id).then(
      (record) => current && setCommissioning(record),
      () => undefined, // an older server, or no network: the card says accepted without the record
    )
    return () => {
      current = false
    }
  }, [device.id, device.state])

  async function start() {
    setBusy(true)
    setError('')
    try {
      let record = await startWiredCommissioning(device.site_id, device.id)
      for (let step = nextAutoStep(record); step !== null; step = nextAutoStep(record)) {
        record = await runStep(record.id, step, EMPTY[step])
        if (stepOf(record, step).status !== 'done') break
      }
      setCommissioning(record)
      setError(autoStepFailure(record) ?? '')
    } catch (e) {
      setError(errorText(e))
    } finally {
      setBusy(false)
    }
  }

  async function sign(record: Commissioning) {
    const body = acceptBody(record.checklist, answers, signature, drawn)
    if (body === null) return
    setBusy(true)
    setError('')
    try {
      await uploadEvidence(body)
      const done = await runStep(record.id, 'accept', body)
      setCommissioning(done)
      const accept = stepOf(done, 'accept')
      if (accept.status === 'failed') setError(accept.error ?? accept.code ?? '')
    } catch (e) {
      setError(errorText(e, record))
    } finally {
      setBusy(false)
    }
  }

  const notReady = (commissioning && acceptBlockerText(commissioning.checklist, answers, signature, drawn)) ?? ''
  const status = stage === 'accepted' ? 'done' : error ? 'failed' : 'pending'
  return (
    <li
      class={`card step step-${status}`}
      data-testid="wired-accept"
      data-status={status}
      data-stage={stage}
      data-commissioning-id={commissioning ? String(commissioning.id) : ''}
    >
      <div class="step-head">
        <span class="step-number" aria-hidden="true">
          ✓
        </span>
        <h3>{t('wired.accept_title')}</h3>
        <span class={`step-status status-${status}`}>{label('step_status', status)}</span>
      </div>
      {stage === 'start' && <p class="muted step-hint">{t('wired.accept_hint')}</p>}
      {commissioning && stage !== 'start' && (
        <ul class="muted" data-testid="wired-accept-steps">
          {commissioning.steps
            .filter((s) => s.step !== 'accept' && s.status !== 'pending')
            .map((s) => (
              <li key={s.step} data-testid="wired-accept-step" data-step={s.step} data-status={s.status}>
                {t(`step.${s.step}`)}: {autoStepReason(s)}
              </li>
            ))}
        </ul>
      )}
      {stage === 'checklist' && commissioning && (
        <>
          <p class="muted step-hint">{t('step.accept_hint')}</p>
          <AcceptFields
            checklist={commissioning.checklist}
            answers={answers}
            signature={signature}
            drawn={drawn}
            disabled={busy}
            onAnswers={setAnswers}
            onSignature={setSignature}
            onDrawn={setDrawn}
          />
        </>
      )}
      {stage === 'accepted' && (
        <p class="step-result" data-testid="wired-accepted" data-signed-by={commissioning ? signedBy(commissioning) : ''}>
          ✓ {t('wired.accepted_device')}
          {commissioning && ` · ${t('wired.signed_by', { name: signedBy(commissioning) })}`}
        </p>
      )}
      {stage === 'accepted' && commissioning && <SignedRecord commissioning={commissioning} />}
      {busy ? (
        <Working text={stage === 'checklist' ? t('step.accept_running') : t('wired.accept_running')} testid="wired-accept-running" />
      ) : (
        <div class="step-actions">
          {(stage === 'start' || stage === 'steps') && (
            <button type="button" class="ack-button" data-testid="wired-accept-start" onClick={() => void start()}>
              {t(stage === 'start' ? 'wired.accept_start' : 'wired.accept_retry')}
            </button>
          )}
          {stage === 'checklist' && commissioning && (
            <button
              type="button"
              class="ack-button"
              disabled={notReady !== ''}
              title={notReady || undefined}
              data-testid="wired-accept-sign"
              onClick={() => void sign(commissioning)}
            >
              {t('step.accept_run')}
            </button>
          )}
        </div>
      )}
      {stage === 'checklist' && notReady && !busy && <p class="muted">{notReady}</p>}
      {error && (
        <p class="form-error" role="alert" data-testid="wired-accept-error">
          {error}
        </p>
      )}
    </li>
  )
}
