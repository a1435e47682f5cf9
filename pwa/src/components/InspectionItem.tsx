// One checklist item on the inspection page: three big buttons (合格 / 不合格 / 不适用), a note and photos
// (open at once for 不合格, behind "备注 / 拍照" otherwise), and whether the server has the answer.
import { useEffect, useState } from 'preact/hooks'
import { hashesOf } from '../hazards/upload'
import { label, t, type Lang } from '../i18n'
import type { AnswerBook, ItemView } from '../inspections/answers'
import { failHints, itemAnchor, itemText, needsNote, saveStateText } from '../inspections/model'
import type { CheckAnswer, ChecklistItem } from '../inspections/types'
import { AttachmentThumb, PhotoPicker, usePhotoQueue } from './Photos'

const ANSWERS: readonly CheckAnswer[] = ['pass', 'fail', 'na']

/** The photo picker of one item; mounted once the item's details open, and kept while the page is open. */
function ItemPhotos({ itemKey, book, photo }: { itemKey: string; book: AnswerBook; photo: boolean }) {
  const [queue, items] = usePhotoQueue()
  // The photos that are up go with the answer; the book sends it again when they change.
  useEffect(() => book.setPhotos(itemKey, hashesOf(items)), [items])
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
  book: AnswerBook
  readOnly: boolean
  lang: Lang
  onOpenPhoto: (url: string) => void
}

export function InspectionItem({ item, number, view, book, readOnly, lang, onOpenPhoto }: Props) {
  const [opened, setOpened] = useState(false)
  const key = item.key
  const text = itemText(item, lang)
  const open = opened || view.answer === 'fail' || view.note !== '' || view.attachments.length > 0
  const missingNote = needsNote(view)

  function choose(answer: CheckAnswer) {
    book.setAnswer(key, answer)
    if (answer === 'fail') setOpened(true)
  }

  return (
    <li
      id={itemAnchor(key)}
      class={`card insp-item answer-${view.answer ?? 'none'}`}
      data-testid="insp-item"
      data-key={key}
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
            value={view.note}
            placeholder={view.answer === 'fail' ? t('inspection.note_fail_hint') : t('inspection.note_hint')}
            aria-invalid={missingNote}
            data-testid={`insp-${key}-note`}
            onInput={(e) => {
              setOpened(true) // stays open when the note is emptied again
              book.setNote(key, e.currentTarget.value)
            }}
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
                <button type="button" class="link-button" onClick={() => book.removeKept(key, sha)}>
                  {t('photo.remove')}
                </button>
              )}
            </span>
          ))}
        </div>
      )}
      {open && !readOnly && <ItemPhotos itemKey={key} book={book} photo={item.photo} />}
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
