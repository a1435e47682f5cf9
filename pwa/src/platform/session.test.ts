import { describe, expect, it } from 'vitest'
import { useFakeServer } from '../test/fetch'
import { user } from '../test/fixtures'
import { loadSession } from './db'
import { restoreSession, startSession } from './session'

useFakeServer()

const session = { token: 'tok-abc', expires_at: Date.now() / 1000 + 3600, user }

describe('session restore', () => {
  it('drops an expired session', async () => {
    await startSession({ ...session, expires_at: Date.now() / 1000 - 1 })
    expect(await restoreSession()).toBeNull()
    expect(await loadSession()).toBeUndefined()
  })

  it('keeps a valid one', async () => {
    await startSession(session)
    expect((await restoreSession())?.token).toBe('tok-abc')
  })
})
