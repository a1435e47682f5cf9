import { useState } from 'preact/hooks'
import { ApiError, NetworkError } from '../../platform/http'
import { t, type MessageKey } from '../../platform/i18n'
import { startSession } from '../../platform/session'
import { login } from './api'

type Failure = { key: MessageKey } | { detail: string }

function failureOf(error: unknown): Failure {
  if (error instanceof ApiError) {
    if (error.status === 401) return { key: 'login.bad_credentials' }
    // The server locks an account name after 5 failures in 15 minutes.
    if (error.status === 429) return { key: 'login.too_many' }
    return { detail: error.detail }
  }
  if (error instanceof NetworkError) return { key: 'login.unreachable' }
  return { detail: String(error) }
}

/** Sign-in form. On success the session starts; the app then leaves this page. */
export function LoginPage() {
  const [username, setUsername] = useState('')
  const [password, setPassword] = useState('')
  const [busy, setBusy] = useState(false)
  const [failure, setFailure] = useState<Failure | null>(null)

  async function submit(event: Event) {
    event.preventDefault()
    if (busy) return
    setBusy(true)
    setFailure(null)
    try {
      const answer = await login(username.trim(), password)
      await startSession({ token: answer.token, expires_at: answer.expires_at, user: answer.user })
    } catch (error) {
      setFailure(failureOf(error))
      setBusy(false)
    }
  }

  return (
    <main class="page login-page">
      <form class="card login-card" onSubmit={submit} data-testid="login-form">
        <h1>{t('login.title')}</h1>
        <p class="muted">{t('app.tagline')}</p>
        <label>
          <span>{t('login.username')}</span>
          <input
            name="username"
            autocomplete="username"
            autocapitalize="none"
            spellcheck={false}
            required
            value={username}
            onInput={(e) => setUsername(e.currentTarget.value)}
            data-testid="login-username"
          />
        </label>
        <label>
          <span>{t('login.password')}</span>
          <input
            name="password"
            type="password"
            autocomplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
            data-testid="login-password"
          />
        </label>
        {failure && (
          <p class="form-error" role="alert" data-testid="login-error">
            {'key' in failure ? t(failure.key) : failure.detail}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy} data-testid="login-submit">
          {busy ? t('login.submitting') : t('login.submit')}
        </button>
      </form>
    </main>
  )
}
