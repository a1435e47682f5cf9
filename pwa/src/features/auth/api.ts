// Signing in and out, and who is signed in (/api/v1/auth, /api/v1/me). Errors as in platform/http.ts.
import { request } from '../../platform/http'
import type { User } from '../../platform/wire'
import type { LoginResponse } from './types'

export function login(username: string, password: string): Promise<LoginResponse> {
  return request<LoginResponse>('POST', '/api/v1/auth/login', { body: { username, password }, auth: false })
}

export function logout(): Promise<void> {
  return request<void>('POST', '/api/v1/auth/logout')
}

export function getMe(): Promise<User> {
  return request<User>('GET', '/api/v1/me')
}
