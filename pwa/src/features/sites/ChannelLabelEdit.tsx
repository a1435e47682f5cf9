// An installer or operator names a channel after what it measures ("二楼走廊照明 进线端子"): PATCH
// /api/v1/channels/{id} with its label; the page reads the site again when it is saved.
import { useState } from 'preact/hooks'
import { ApiError } from '../../platform/http'
import { t } from '../../platform/i18n'
import { describeError } from '../../ui/feedback'
import type { Channel } from '../devices/types'
import { setChannelLabel } from './api'

const MAX_LENGTH = 60 // the server's limit (ChannelLabel)

export function ChannelLabelEdit({ channel, onSaved }: { channel: Channel; onSaved: () => void }) {
  const [editing, setEditing] = useState(false)
  const [text, setText] = useState(channel.label ?? '')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  if (!editing) {
    return (
      <button type="button" class="link-button" data-testid="channel-label-edit" onClick={() => setEditing(true)}>
        {t('channel.label_edit')}
      </button>
    )
  }
  const save = async (event: Event) => {
    event.preventDefault()
    setBusy(true)
    setError(null)
    try {
      await setChannelLabel(channel.id, text.trim())
      setEditing(false)
      onSaved()
    } catch (e) {
      setError(t('channel.label_failed', { reason: e instanceof ApiError ? e.detail : describeError(e) }))
    } finally {
      setBusy(false)
    }
  }
  return (
    <form class="channel-label-form" onSubmit={(e) => void save(e)}>
      <input
        class="filter"
        value={text}
        maxLength={MAX_LENGTH}
        aria-label={t('channel.label_title')}
        placeholder={t('channel.label_title')}
        data-testid="channel-label-input"
        onInput={(e) => setText(e.currentTarget.value)}
      />
      <button type="submit" class="ack-button" disabled={busy} data-testid="channel-label-save">
        {t('channel.label_save')}
      </button>
      <button type="button" class="link-button" onClick={() => setEditing(false)}>
        {t('channel.label_cancel')}
      </button>
      {error && <p class="form-error">{error}</p>}
    </form>
  )
}
