// Wire shapes of signing in (POST /api/v1/auth/login). Field names are the server's, unchanged.
import type { User } from '../../platform/wire'

export interface LoginResponse {
  token: string
  /** Unix seconds. */
  expires_at: number
  user: User
}
