// "导出 Excel / 导出 CSV" under a table: the server writes the file (docs/statistics.md, Exports) with the table's
// own filters; it is fetched with the token (a plain link cannot send it) and handed to the browser's download.
import { useState } from 'preact/hooks'
import { downloadBlob } from '../../platform/download'
import { getLanguage, t } from '../../platform/i18n'
import { describeError } from '../../ui/feedback'
import { getExport } from './api'
import { exportFallbackName, exportPath, type ExportFormat, type ExportTable } from './drill'

type State = { state: 'idle' } | { state: 'loading' } | { state: 'done'; name: string } | { state: 'failed'; text: string }

export function ExportButtons({ table, params = new URLSearchParams() }: { table: ExportTable; params?: URLSearchParams }) {
  const [status, setStatus] = useState<State>({ state: 'idle' })

  async function download(format: ExportFormat) {
    setStatus({ state: 'loading' })
    try {
      const file = await getExport(exportPath(table, format, params, getLanguage()))
      const name = file.filename ?? exportFallbackName(table, format)
      downloadBlob(file.blob, name)
      setStatus({ state: 'done', name })
    } catch (error) {
      setStatus({ state: 'failed', text: t('drill.export_failed', { detail: describeError(error) }) })
    }
  }

  const busy = status.state === 'loading'
  return (
    <div class="dash-export" data-testid="dash-export" data-table={table} data-state={status.state}>
      <button type="button" class="link-button" disabled={busy} data-testid={`export-${table}-xlsx`} onClick={() => void download('xlsx')}>
        {t('drill.export_xlsx')}
      </button>
      <button type="button" class="link-button" disabled={busy} data-testid={`export-${table}-csv`} onClick={() => void download('csv')}>
        {t('drill.export_csv')}
      </button>
      {busy && <span class="muted">{t('drill.exporting')}</span>}
      {status.state === 'done' && (
        <span class="muted" role="status">
          {t('drill.exported', { name: status.name })}
        </span>
      )}
      {status.state === 'failed' && (
        <span class="dash-export-error" role="alert">
          {status.text}
        </span>
      )}
    </div>
  )
}
