// The commissioning wizard: one card per step in the server's order, each with its status, its form, a run
// button, a spinner while the device works, and on failure what to try.
import type { ComponentChildren } from 'preact'
import { useEffect, useRef, useState } from 'preact/hooks'
import { ApiError, NetworkError } from '../../platform/http'
import { formatDateTime, label, t, type MessageKey } from '../../platform/i18n'
import { Working } from '../../ui/feedback'
import { onOnlineChange } from '../../platform/online'
import { runStep, type StepBodies } from './api'
import {
  acceptBlockerText,
  acceptBody,
  blockedBy,
  canRun,
  EMPTY_IDENTIFY,
  identifyBody,
  invalidThreshold,
  isCommissioned,
  isInvalid,
  nextStep,
  selfTestKind,
  STEPS,
  stepOf,
  thresholdForm,
  thresholdsBody,
  type Answers,
} from './commission'
import { AcceptFields, SignedRecord } from './AcceptForm'
import { uploadEvidence } from './evidence'
import { dropCommissionDraft, keepCommissionDraft, submitWaitingAccepts } from './drafts'
import { failureText, isKnownFailure, requestFailureText } from './failures'
import { IdentifyFields, ThresholdFields } from './StepForms'
import { LiveValues, PairDone, SelfTestDone } from './StepResults'
import type { CommissionDraft } from './types'
import type { Commissioning, StepName, StepStatus } from './types'

const TITLE: Record<StepName, MessageKey> = {
  pair: 'step.pair',
  identify: 'step.identify',
  live_read: 'step.live_read',
  self_test: 'step.self_test',
  thresholds: 'step.thresholds',
  accept: 'step.accept',
}

const HINT: Record<StepName, MessageKey> = {
  pair: 'step.pair_hint',
  identify: 'step.identify_hint',
  live_read: 'step.live_read_hint',
  self_test: 'step.self_test_hint',
  thresholds: 'step.thresholds_hint',
  accept: 'step.accept_hint',
}

const RUN: Record<StepName, MessageKey> = {
  pair: 'step.pair_run',
  identify: 'step.identify_run',
  live_read: 'step.live_read_run',
  self_test: 'step.self_test_run',
  thresholds: 'step.thresholds_run',
  accept: 'step.accept_run',
}

const RUNNING: Record<StepName, MessageKey> = {
  pair: 'step.pair_running',
  identify: 'step.identify_running',
  live_read: 'step.live_read_running',
  self_test: 'step.self_test_running',
  thresholds: 'step.thresholds_running',
  accept: 'step.accept_running',
}

const MARK: Record<StepStatus, string> = { pending: '○', done: '✓', failed: '✕' }

function hintOf(step: StepName, commissioning: Commissioning): string {
  const arc = selfTestKind(commissioning) === 'arc'
  if (step === 'self_test' && arc) return t('step.self_test_hint_arc')
  return t(HINT[step])
}

function runningOf(step: StepName, commissioning: Commissioning): string {
  const arc = selfTestKind(commissioning) === 'arc'
  if (step === 'self_test' && arc) return t('step.self_test_running_arc')
  return t(RUNNING[step])
}

interface CardProps {
  commissioning: Commissioning
  step: StepName
  index: number
  running: StepName | null
  /** What went wrong with the last request of this step (not the device's failure, which is in the step). */
  requestError: string
  /** Shown above the run button: the step's form. */
  form?: ComponentChildren
  /** The run button may not be pressed yet (an incomplete form), with why. */
  notReady?: string
  onRun: () => void
}

function StepCard({ commissioning, step, index, running, requestError, form, notReady, onRun }: CardProps) {
  const record = stepOf(commissioning, step)
  const status = record.status
  const blocker = isCommissioned(commissioning) ? null : blockedBy(commissioning, step)
  const mayRun = canRun(commissioning, step)
  const busy = running !== null
  // A request error belongs under the thresholds form (thresholds-error); the others go under the card.
  const deviceFailure = status === 'failed' && running !== step ? failureText(record.code, record.error) : ''
  const error = requestError && step !== 'thresholds' ? requestError : deviceFailure
  return (
    <li
      class={`card step step-${status}${nextStep(commissioning) === step ? ' step-next' : ''}`}
      data-testid={`step-${step}`}
      data-status={status}
    >
      <div class="step-head">
        <span class="step-number" aria-hidden="true">
          {index + 1}
        </span>
        <h3>{t(TITLE[step])}</h3>
        <span class={`step-status status-${status}`} data-testid={`step-${step}-status`} data-status={status}>
          {MARK[status]} {label('step_status', status)}
        </span>
      </div>
      {status !== 'done' && !isCommissioned(commissioning) && <p class="muted step-hint">{hintOf(step, commissioning)}</p>}
      {status === 'done' && step === 'pair' && <PairDone step={record} />}
      {status === 'done' && step === 'identify' && <p class="step-result">✓ {t('step.identified')}</p>}
      {status === 'done' && step === 'live_read' && <LiveValues step={record} commissioning={commissioning} />}
      {status === 'done' && step === 'self_test' && <SelfTestDone step={record} />}
      {status === 'done' && step === 'thresholds' && <p class="step-result">✓ {t('step.thresholds_done')}</p>}
      {status === 'done' && step === 'accept' && <p class="step-result">✓ {t('step.accepted')}</p>}
      {mayRun && form}
      {running === step ? (
        <Working text={runningOf(step, commissioning)} testid={`step-${step}-running`} />
      ) : (
        !isCommissioned(commissioning) && (
          <div class="step-actions">
            <button
              type="button"
              class={status === 'done' ? 'ack-button secondary' : 'ack-button'}
              data-testid={`step-${step}-run`}
              disabled={!mayRun || busy || notReady !== undefined}
              onClick={onRun}
            >
              {t(RUN[step])}
            </button>
            {blocker && <span class="muted">{t('step.blocked', { step: t(TITLE[blocker]) })}</span>}
            {mayRun && notReady && <span class="muted">{notReady}</span>}
          </div>
        )
      )}
      {error && (
        <div class="form-error" role="alert" data-testid={`step-${step}-error`} data-code={record.code ?? ''}>
          <p>{error}</p>
          {error === deviceFailure && isKnownFailure(record.code) && record.error && <p class="muted">{record.error}</p>}
        </div>
      )}
    </li>
  )
}

interface WizardProps {
  commissioning: Commissioning
  /** Default signature: the signed-in user's name. */
  signer: string
  /** The acceptance checklist as kept on the device (drafts.ts). */
  draft?: CommissionDraft | undefined
  onChange: (commissioning: Commissioning) => void
  /** An acceptance kept for later went to the server by itself: read the commissioning again. */
  onSubmitted: () => void
}

export function CommissionSteps({ commissioning, signer, draft, onChange, onSubmitted }: WizardProps) {
  const [running, setRunning] = useState<StepName | null>(null)
  const [errors, setErrors] = useState<Partial<Record<StepName, string>>>(draft?.error ? { accept: draft.error } : {})
  const [identify, setIdentify] = useState(EMPTY_IDENTIFY)
  const [thresholds, setThresholds] = useState(() => thresholdForm(commissioning.channels))
  const [answers, setAnswers] = useState<Answers>(() => (draft?.answers as Answers | undefined) ?? {})
  const [signature, setSignature] = useState(() => draft?.signature || signer)
  const [drawn, setDrawn] = useState<string | null>(() => draft?.drawn ?? null)
  const [thresholdBad, setThresholdBad] = useState<{ channel: string; setting: string } | null>(null)
  const [queued, setQueued] = useState(draft?.submit ?? false)
  const done = useRef<HTMLDivElement>(null)
  const commissioned = isCommissioned(commissioning)
  const typed = useRef(false)

  // Every answer is on the device as soon as it is given: a reload or a dead phone loses nothing.
  useEffect(() => {
    if (!typed.current) {
      typed.current = true
      return
    }
    void keepCommissionDraft(commissioning, { answers, signature, drawn, error: null }).catch((error: unknown) =>
      console.warn('andian: could not keep the checklist on the device', error),
    )
  }, [answers, signature, drawn])

  // An acceptance pressed with no network goes when the network is back.
  useEffect(() => {
    if (!queued) return
    return onOnlineChange((online) => {
      if (online) void submitWaitingAccepts().then(onSubmitted)
    })
  }, [queued])

  useEffect(() => {
    if (commissioned) done.current?.scrollIntoView?.({ behavior: 'smooth', block: 'center' })
  }, [commissioned])

  const fail = (step: StepName, message: string) => setErrors((e) => ({ ...e, [step]: message }))

  async function run<S extends StepName>(step: S, body: StepBodies[S]) {
    setRunning(step)
    setErrors((e) => ({ ...e, [step]: '' }))
    if (step === 'thresholds') setThresholdBad(null)
    try {
      // Photos and the signature taken with no network go up first: the server checks the acceptance names them.
      if (step === 'accept') await uploadEvidence(body as StepBodies['accept'])
      const next = await runStep(commissioning.id, step, body)
      if (step === 'accept') {
        setQueued(false)
        void dropCommissionDraft(commissioning.id)
      }
      onChange(next)
      // The device may have rounded or clamped what it was sent: show what it holds now.
      if (step === 'thresholds' && stepOf(next, 'thresholds').status === 'done') setThresholds(thresholdForm(next.channels))
    } catch (error) {
      if (step === 'accept' && error instanceof NetworkError) {
        // The checklist is on the device: it goes by itself once the network is back.
        await keepCommissionDraft(commissioning, { answers, signature, drawn, submit: true, error: null })
        setQueued(true)
      } else {
        if (step === 'thresholds' && error instanceof ApiError) setThresholdBad(invalidThreshold(error.field ?? ''))
        fail(step, requestFailureText(error, undefined, commissioning.checklist))
      }
    } finally {
      setRunning(null)
    }
  }

  function runIdentify() {
    const body = identifyBody(identify, commissioning.kind)
    if (!isInvalid(body)) void run('identify', body)
    else if (body.invalid === 'name') fail('identify', t('refusal.required_name'))
    else if (body.invalid === 'circuit') fail('identify', t('refusal.required_circuit'))
    else fail('identify', t('step.invalid_number', { field: t('identify.rated') }))
  }

  function runThresholds() {
    const body = thresholdsBody(thresholds)
    if (isInvalid(body)) fail('thresholds', t('step.invalid_number', { field: body.invalid }))
    else void run('thresholds', body)
  }

  const accept = acceptBody(commissioning.checklist, answers, signature, drawn)
  const acceptNotReady = acceptBlockerText(commissioning.checklist, answers, signature, drawn)

  const card = (step: StepName, index: number) => {
    const common = {
      key: step,
      commissioning,
      step,
      index,
      running,
      requestError: errors[step] ?? '',
    }
    const disabled = running !== null
    switch (step) {
      case 'identify':
        return (
          <StepCard
            {...common}
            form={
              <IdentifyFields
                kind={commissioning.kind}
                siteId={commissioning.site_id}
                form={identify}
                disabled={disabled}
                onChange={setIdentify}
              />
            }
            onRun={runIdentify}
          />
        )
      case 'thresholds':
        return (
          <StepCard
            {...common}
            form={
              <ThresholdFields
                commissioning={commissioning}
                form={thresholds}
                error={errors.thresholds ?? ''}
                bad={thresholdBad}
                disabled={disabled}
                onChange={setThresholds}
              />
            }
            onRun={runThresholds}
          />
        )
      case 'accept':
        return (
          <StepCard
            {...common}
            form={
              <AcceptFields
                checklist={commissioning.checklist}
                answers={answers}
                signature={signature}
                drawn={drawn}
                disabled={disabled}
                onAnswers={setAnswers}
                onSignature={setSignature}
                onDrawn={setDrawn}
              />
            }
            notReady={acceptNotReady}
            onRun={() => accept && void run('accept', accept)}
          />
        )
      default:
        return <StepCard {...common} onRun={() => void run(step, {})} />
    }
  }

  return (
    <>
      <ol class="steps">{STEPS.map(card)}</ol>
      {queued && !commissioned && (
        <p class="banner banner-pending" role="status" data-testid="accept-queued">
          {t('accept.queued')}
        </p>
      )}
      {commissioned && (
        <div class="banner banner-success" role="status" data-testid="commission-done" ref={done}>
          <p>
            <strong>✓ {t('commission.done')}</strong>
            {commissioning.completed_at !== null && (
              <span class="muted"> · {t('commission.done_at', { time: formatDateTime(commissioning.completed_at * 1000) })}</span>
            )}
          </p>
          <SignedRecord commissioning={commissioning} />
          <div class="done-links">
            <a href={`/sites/${commissioning.site_id}`} data-testid="commission-back">
              {t('commission.done_back')}
            </a>
            <a href={`/sites/${commissioning.site_id}/commission`} data-testid="commission-next">
              {t('commission.next')}
            </a>
          </div>
        </div>
      )}
    </>
  )
}
