// "下载 PDF": the report's PDF fetched with the token (a plain link cannot send it), saved under the server's name,
// with a link to open it in a new tab; progress while the server makes it, and what went wrong if it could not.
import { useEffect, useState } from 'preact/hooks'
import { downloadUrl } from '../../platform/download'
import { t, type Lang } from '../../platform/i18n'
import { getReportPdf } from './api'
import { pdfErrorText, pdfFallbackName } from './model'

type PdfState = { state: 'idle' } | { state: 'loading' } | { state: 'done'; url: string; name: string } | { state: 'failed'; text: string }

export function PdfButton({ siteId, period, lang }: { siteId: number; period: string; lang: Lang }) {
  const [pdf, setPdf] = useState<PdfState>({ state: 'idle' })
  const url = pdf.state === 'done' ? pdf.url : undefined
  // The object URL lives while the page shows it (the "open" link uses it).
  useEffect(
    () => () => {
      if (url) URL.revokeObjectURL(url)
    },
    [url],
  )
  // Another month or language is another file.
  useEffect(() => setPdf({ state: 'idle' }), [siteId, period, lang])

  async function download() {
    setPdf({ state: 'loading' })
    try {
      const file = await getReportPdf(siteId, period, lang)
      const name = file.filename ?? pdfFallbackName(siteId, period)
      const blob = file.blob.type === 'application/pdf' ? file.blob : new Blob([file.blob], { type: 'application/pdf' })
      const objectUrl = URL.createObjectURL(blob)
      downloadUrl(objectUrl, name)
      setPdf({ state: 'done', url: objectUrl, name })
    } catch (error) {
      setPdf({ state: 'failed', text: pdfErrorText(error) })
    }
  }

  return (
    <div class="report-pdf" data-testid="report-pdf-state" data-state={pdf.state}>
      <button type="button" class="ack-button" disabled={pdf.state === 'loading'} data-testid="report-pdf" onClick={() => void download()}>
        {pdf.state === 'loading' ? t('report.pdf_loading') : t('report.pdf')}
      </button>
      {pdf.state === 'loading' && (
        <span class="step-running" role="status">
          <span class="spinner" aria-hidden="true" /> {t('report.pdf_wait')}
        </span>
      )}
      {pdf.state === 'done' && (
        <p class="muted" role="status" data-testid="report-pdf-done">
          {t('report.pdf_done', { name: pdf.name })}{' '}
          <a href={pdf.url} target="_blank" rel="noopener" data-testid="report-pdf-open">
            {t('report.pdf_open')}
          </a>
        </p>
      )}
      {pdf.state === 'failed' && (
        <p class="form-error" role="alert" data-testid="report-pdf-error">
          {pdf.text}
        </p>
      )}
    </div>
  )
}
