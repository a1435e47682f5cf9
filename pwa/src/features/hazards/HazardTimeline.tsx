// A hazard's timeline as a thread: who did what, in which role, when, with their words and photos.
import { useState } from 'preact/hooks'
import { formatDateTime, t } from '../../platform/i18n'
import { AttachmentThumb, PhotoViewer } from '../photos/Photos'
import type { LocalHazard } from '../sync/overlay'
import { PendingMark } from '../sync/PendingMark'
import { timeline } from './timeline'

export function HazardTimeline({ hazard }: { hazard: LocalHazard }) {
  const [viewing, setViewing] = useState<string>()
  const events = timeline(hazard)
  // Events made on this device and not yet on the server: at the end, marked 待同步.
  const pending = new Set(hazard.events.filter((e) => e.pending).map((e) => e.id))
  return (
    <>
      <ol class="hazard-events" data-testid="hazard-events">
        {events.map((e) => (
          <li
            key={e.id}
            class={`hazard-event tone-${e.tone}`}
            data-testid="hazard-event"
            data-event-id={String(e.id)}
            data-kind={e.kind}
            data-state={e.state}
            data-pending={String(pending.has(e.id))}
          >
            <div class="event-head">
              <strong class="event-actor" data-testid="event-actor">
                {e.actor}
              </strong>
              {e.role && (
                <span class="event-role" data-testid="event-role">
                  {e.role}
                </span>
              )}
              <time class="muted event-time" dateTime={new Date(e.at).toISOString()}>
                {formatDateTime(e.at)}
              </time>
              {pending.has(e.id) && <PendingMark />}
            </div>
            <p class="event-title" data-testid="event-title">
              {e.title}
            </p>
            {e.alarmPath && (
              <a href={e.alarmPath} class="event-alarm-link" data-testid="event-alarm-link">
                {t('event.alarm_link')} ›
              </a>
            )}
            {e.note && (
              <p class="event-note" data-testid="event-note">
                {e.note}
              </p>
            )}
            {e.attachments.length > 0 && (
              <div class="thumbs">
                {e.attachments.map((sha) => (
                  <AttachmentThumb key={sha} sha256={sha} onOpen={setViewing} />
                ))}
              </div>
            )}
          </li>
        ))}
      </ol>
      {viewing && <PhotoViewer url={viewing} onClose={() => setViewing(undefined)} />}
    </>
  )
}
