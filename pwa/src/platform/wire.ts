// Wire shapes every part of the app shares: who the signed-in person is and the server's error body. Field names
// are the server's, unchanged. Each feature keeps its own shapes in its types.ts; this module imports nothing.

export type Role = 'admin' | 'operator' | 'installer' | 'electrician' | 'owner' | 'inspector' | 'regulator'

export interface User {
  id: number
  username: string
  role: Role
  display_name: string
  company_id: number | null
  regions: string[]
  department: string | null
}

/** Error body of every non-2xx answer. */
export interface ErrorBody {
  status_code: number
  detail: string
  extra?: unknown
}
