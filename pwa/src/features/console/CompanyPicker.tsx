// The console's company picker for admins: every operator company, or one (?company= in the address, sent to the
// server as company_id). Operators see their own company's sites and get no picker.
import { useEffect, useState } from 'preact/hooks'
import { t } from '../../platform/i18n'
import { describeError } from '../../ui/feedback'
import { getCompanies } from './api'
import type { Company } from './types'

export function CompanyPicker({ value, onChange }: { value: number | undefined; onChange: (company: number | undefined) => void }) {
  const [companies, setCompanies] = useState<Company[]>([])
  const [error, setError] = useState('')
  useEffect(() => {
    getCompanies().then(setCompanies, (e: unknown) => setError(describeError(e)))
  }, [])
  const known = value === undefined || companies.some((c) => c.id === value)
  return (
    <label>
      <span>{t('console.company')}</span>
      <select
        value={value === undefined ? '' : String(value)}
        onChange={(e) => onChange(e.currentTarget.value ? Number(e.currentTarget.value) : undefined)}
        data-testid="console-filter-company"
      >
        <option value="">{t('console.company_all')}</option>
        {!known && <option value={String(value)}>#{value}</option>}
        {companies.map((c) => (
          <option key={c.id} value={String(c.id)}>
            {c.name}
          </option>
        ))}
      </select>
      {error && <span class="form-error" role="alert">{t('console.companies_failed', { error })}</span>}
    </label>
  )
}
