// Photos on the hazard screens: the picker (camera on phones) with each photo's upload state, thumbnails of
// saved photos (fetched with the token, shown through object URLs), and a full-screen view on tap.
import { useEffect, useMemo, useState } from 'preact/hooks'
import { t } from '../../platform/i18n'
import { useLoad } from '../../ui/hooks'
import { photoBlob } from './device-copy'
import { hashesOf, MAX_PHOTOS, photoStatusText, PhotoQueue, retryable, type PhotoItem } from './upload'

/** An object URL for a blob while the component shows it; revoked when the blob changes or it unmounts. */
function useObjectUrl(blob: Blob | null | undefined): string | undefined {
  const url = useMemo(() => (blob ? URL.createObjectURL(blob) : undefined), [blob])
  useEffect(
    () => () => {
      if (url) URL.revokeObjectURL(url)
    },
    [url],
  )
  return url
}

/** A form's photos: the queue lives as long as the form, and the form re-renders on each photo's change. */
export function usePhotoQueue(): [PhotoQueue, readonly PhotoItem[]] {
  const [queue] = useState(() => new PhotoQueue())
  const [items, setItems] = useState(queue.items)
  useEffect(() => queue.subscribe(() => setItems(queue.items)), [queue])
  return [queue, items]
}

export function PhotoViewer({ url, onClose }: { url: string; onClose: () => void }) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose()
    document.addEventListener('keydown', onKey)
    return () => document.removeEventListener('keydown', onKey)
  }, [onClose])
  return (
    <div class="photo-viewer" role="dialog" aria-modal="true" aria-label={t('photo.view')} data-testid="photo-viewer" onClick={onClose}>
      <img src={url} alt={t('photo.view')} />
      <button type="button" class="photo-viewer-close" data-testid="photo-viewer-close" onClick={onClose}>
        {t('photo.close')}
      </button>
    </div>
  )
}

/** A saved photo (this device's copy, else GET /api/v1/attachments/{sha256} with the token); tap to see it large. */
export function AttachmentThumb({
  sha256,
  onOpen,
  testid = 'event-photo',
}: {
  sha256: string
  onOpen: (url: string) => void
  testid?: string
}) {
  const [load, reload] = useLoad(() => photoBlob(sha256), sha256)
  const url = useObjectUrl(load.state === 'ready' ? load.value : undefined)
  if (load.state === 'failed') {
    return (
      <button type="button" class="thumb thumb-failed" data-testid={testid} data-sha256={sha256} data-state="failed" onClick={reload}>
        {t('photo.load_failed')}
      </button>
    )
  }
  return (
    <button
      type="button"
      class="thumb"
      data-testid={testid}
      data-sha256={sha256}
      data-state={url ? 'ready' : 'loading'}
      disabled={!url}
      onClick={() => url && onOpen(url)}
      aria-label={t('photo.view')}
    >
      {url ? <img src={url} alt="" /> : <span class="spinner" aria-hidden="true" />}
    </button>
  )
}

function PickedPhoto({ item, prefix, queue }: { item: PhotoItem; prefix: string; queue: PhotoQueue }) {
  const url = useObjectUrl(item.prepared?.blob)
  const isImage = item.prepared?.type.startsWith('image/') ?? false
  return (
    <li
      class={`picked picked-${item.status}`}
      data-testid={`${prefix}-photo`}
      data-state={item.status}
      data-sha256={item.sha256 ?? ''}
    >
      <span class="thumb">
        {url && isImage ? <img src={url} alt={item.name} /> : <span class="thumb-name">{item.name || 'PDF'}</span>}
      </span>
      <span class={`picked-state state-${item.status}`} data-testid={`${prefix}-photo-state`} role="status">
        {(item.status === 'preparing' || item.status === 'uploading') && <span class="spinner" aria-hidden="true" />}
        {photoStatusText(item)}
      </span>
      <span class="picked-actions">
        {retryable(item) && (
          <button type="button" class="link-button" data-testid={`${prefix}-photo-retry`} onClick={() => queue.retry(item.key)}>
            {t('photo.retry')}
          </button>
        )}
        <button
          type="button"
          class="link-button"
          data-testid={`${prefix}-photo-remove`}
          aria-label={t('photo.remove')}
          onClick={() => queue.remove(item.key)}
        >
          {t('photo.remove')}
        </button>
      </span>
    </li>
  )
}

interface PickerProps {
  queue: PhotoQueue
  items: readonly PhotoItem[]
  /** Test ids and the input's id: `{prefix}-photo-input`, `{prefix}-photo` (data-state), … */
  prefix: string
  label: string
  error?: string | undefined
  disabled?: boolean
}

/**
 * Take or choose photos. On phones `capture` opens the back camera; each photo is shrunk, hashed and
 * uploaded at once, so the move can be sent as soon as the last one is up.
 */
export function PhotoPicker({ queue, items, prefix, label: text, error, disabled = false }: PickerProps) {
  const [skipped, setSkipped] = useState(0)
  const full = items.length >= MAX_PHOTOS
  function pick(e: Event) {
    const input = e.currentTarget as HTMLInputElement
    setSkipped(queue.add(Array.from(input.files ?? [])))
    input.value = '' // the same photo may be chosen again after removing it
  }
  return (
    <div class="photo-picker" data-testid={`${prefix}-photos`} data-count={String(hashesOf(items).length)}>
      {/* The camera on phones (capture), and the gallery or files for photos taken before. */}
      <input
        id={`${prefix}-photo-input`}
        class="visually-hidden"
        type="file"
        accept="image/*"
        capture="environment"
        multiple
        disabled={disabled || full}
        data-testid={`${prefix}-photo-input`}
        onChange={pick}
      />
      <input
        id={`${prefix}-photo-file`}
        class="visually-hidden"
        type="file"
        accept="image/*,application/pdf"
        multiple
        disabled={disabled || full}
        data-testid={`${prefix}-photo-file`}
        onChange={pick}
      />
      <div class="photo-add-row">
        <label class={`photo-add${disabled || full ? ' disabled' : ''}`} for={`${prefix}-photo-input`}>
          <span aria-hidden="true">📷</span> {text}
        </label>
        <label class={`photo-add secondary${disabled || full ? ' disabled' : ''}`} for={`${prefix}-photo-file`}>
          {t('photo.choose')}
        </label>
      </div>
      {items.length > 0 && (
        <ul class="picked-list">
          {items.map((item) => (
            <PickedPhoto key={item.key} item={item} prefix={prefix} queue={queue} />
          ))}
        </ul>
      )}
      {skipped > 0 && <p class="muted">{t('photo.too_many', { max: MAX_PHOTOS })}</p>}
      {error && (
        <p class="form-error field-error" role="alert" data-testid={`${prefix}-photo-error`}>
          {error}
        </p>
      )}
    </div>
  )
}
