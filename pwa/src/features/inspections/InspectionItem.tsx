// One checklist item on the inspection page: three big buttons (合格 / 不合格 / 不适用), a note and photos
// (open at once for 不合格, behind "备注 / 拍照" otherwise), and where its answer is: on this device, on its way,
// on the server, or refused with the server's words.
import { useEffect, useState } from 'preact/hooks'
import { label, t, type Lang } from '../../platform/i18n'
import { AttachmentThumb, PhotoPicker, usePhotoQueue } from '../photos/Photos'
import { ready } from '../photos/upload'
import type { ChecklistWriter, ItemView } from './device-answers'
import { failHints, itemAnchor, itemText, needsNote, saveStateText } from './model'
import type { CheckAnswer, ChecklistItem } from './types'

const ANSWERS: readonly CheckAnswer[] = ['pass', 'fail', 'na']

/**
 * The photo picker of one item. A photo that is ready (up, or kept on the device) joins the item's answer and
 * leaves the picker: it shows with the answer's photos from then on.
 */
function ItemPhotos({ itemKey, writer, view, photo }: { itemKey: string; writer: ChecklistWriter; view: ItemView; photo: boolean }) {
  const [queue, items] = usePhotoQueue()
  useEffect(() => {
    const done = items.filter(ready)
    if (done.length === 0) return
    const carried = new Set(view.attachments)
    const fresh = done.flatMap((i) => (i.sha256 && !carried.has(i.sha256) ? [i.sha256] : []))
    if (fresh.length === 0) {
      for (const i of done) queue.remove(i.key)
      return
    }
    // Without an answer yet the photos wait in the picker and go with the answer.
    void writer.addPhotos(itemKey, fresh)
  }, [items, view.attachments])
  return (
    <PhotoPicker
      queue={queue}
      items={items}
      prefix={`insp-${itemKey}`}
      label={photo ? t('inspection.take_photo_wanted') : t('photo.take')}
    />
  )
}

interface Props {
  item: ChecklistItem
  number: number
  view: ItemView
  writer: ChecklistWriter
  readOnly: boolean
  lang: Lang
  onOpenPhoto: (url: string) => void
}

export function InspectionItem({ item, number, view, writer, readOnly, lang, onOpenPhoto }: Props) {
  const [opened, setOpened] = useState(false)
  // The note as typed, until the field is left: the view catches up a moment after each pause.
  const [draft, setDraft] = useState<string | null>(null)
  const key = item.key
  const text = itemText(item, lang)
  const note = draft ?? view.note
  const open = opened || view.answer === 'fail' || note !== '' || view.attachments.length > 0
  const missingNote = needsNote({ answer: view.answer, note }, item)
  // The typed note is on the device once the view shows it.
  useEffect(() => {
    if (draft !== null && draft === view.note) setDraft(null)
  }, [draft, view.note])

  function choose(answer: CheckAnswer) {
    void writer.answer(key, answer, note)
    if (answer === 'fail') setOpened(true)
  }

  return (
    <li
      id={itemAnchor(key)}
      class={`card insp-item answer-${view.answer ?? 'none'}`}
      data-testid="insp-item"
      data-key={key}
      data-number={String(number)}
      data-answer={view.answer ?? ''}
      data-state={view.state}
    >
      <div class="insp-item-head">
        <span class="insp-number" aria-hidden="true">
          {number}
        </span>
        <p class="insp-text">
          {text}
          {item.major && (
            <span class="flag insp-major" data-testid="insp-major">
              {t('inspection.major')}
            </span>
          )}
          {item.photo && (
            <span class="insp-photo-flag" data-testid="insp-photo-wanted">
              📷 {t('inspection.photo_flag')}
            </span>
          )}
        </p>
      </div>
      <div class="choices insp-choices" role="group" aria-label={`${number}. ${text}`}>
        {ANSWERS.map((answer) => (
          <button
            key={answer}
            type="button"
            class={`choice choice-${answer}`}
            aria-pressed={view.answer === answer}
            disabled={readOnly}
            data-testid={`insp-${key}-${answer}`}
            onClick={() => choose(answer)}
          >
            {label('check_answer', answer)}
          </button>
        ))}
      </div>
      {view.answer === 'fail' && !readOnly && (
        <ul class="insp-hints" data-testid={`insp-${key}-hints`}>
          {failHints(item).map((hint) => (
            <li key={hint}>{hint}</li>
          ))}
        </ul>
      )}
      {readOnly ? (
        view.note && (
          <p class="insp-note-text" data-testid={`insp-${key}-note-text`}>
            {view.note}
          </p>
        )
      ) : open ? (
        <label class="field insp-note">
          <span>{view.answer === 'fail' ? t('inspection.note_fail') : t('inspection.note')}</span>
          <textarea
            rows={2}
            maxLength={2000}
            value={note}
            placeholder={view.answer === 'fail' ? t('inspection.note_fail_hint') : t('inspection.note_hint')}
            aria-invalid={missingNote}
            data-testid={`insp-${key}-note`}
            onInput={(e) => {
              setOpened(true) // stays open when the note is emptied again
              setDraft(e.currentTarget.value)
              writer.note(key, e.currentTarget.value)
            }}
            onBlur={() => void writer.flush()}
          />
          {missingNote && (
            <span class="field-error" data-testid={`insp-${key}-note-missing`}>
              {t('inspection.error_note')}
            </span>
          )}
        </label>
      ) : (
        <button type="button" class="link-button insp-more" data-testid={`insp-${key}-more`} onClick={() => setOpened(true)}>
          {t('inspection.more')}
        </button>
      )}
      {view.kept.length > 0 && (
        <div class="thumbs" data-testid={`insp-${key}-photos-saved`} data-count={String(view.kept.length)}>
          {view.kept.map((sha) => (
            <span key={sha} class="kept-photo">
              <AttachmentThumb sha256={sha} onOpen={onOpenPhoto} testid="insp-photo" />
              {!readOnly && (
                <button type="button" class="link-button" onClick={() => void writer.removePhoto(key, sha)}>
                  {t('photo.remove')}
                </button>
              )}
            </span>
          ))}
        </div>
      )}
      {open && !readOnly && <ItemPhotos itemKey={key} writer={writer} view={view} photo={item.photo} />}
      {!readOnly && view.state !== 'none' && (
        <p
          class={`insp-save state-${view.state}`}
          role={view.state === 'rejected' ? 'alert' : undefined}
          data-testid={`insp-${key}-state`}
          data-state={view.state}
        >
          {saveStateText(view)}
        </p>
      )}
    </li>
  )
}
