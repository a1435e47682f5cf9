import type { RefObject } from 'preact'
import { useEffect, useState } from 'preact/hooks'

/** Re-render when a module-level value changes: `subscribe` returns its unsubscribe function. */
export function useExternal<T>(subscribe: (onChange: () => void) => () => void, get: () => T): T {
  const [value, setValue] = useState(get)
  useEffect(() => {
    const update = () => setValue(get)
    update() // it may have changed between render and effect
    return subscribe(update)
  }, [subscribe, get])
  return value
}

export type LoadState<T> =
  | { state: 'loading' }
  | { state: 'ready'; value: T }
  | { state: 'failed'; error: unknown }

/**
 * Run an async read when `key` changes and again on `reload()`. The previous value stays on screen while a
 * reload of the same key runs; an answer that arrives after the key changed is dropped.
 */
export function useLoad<T>(read: () => Promise<T>, key: string | number): [LoadState<T>, () => void] {
  const [attempt, setAttempt] = useState(0)
  const [result, setResult] = useState<{ key: string | number; load: LoadState<T> }>({
    key,
    load: { state: 'loading' },
  })
  useEffect(() => {
    let current = true
    read().then(
      (value) => current && setResult({ key, load: { state: 'ready', value } }),
      (error: unknown) => current && setResult({ key, load: { state: 'failed', error } }),
    )
    return () => {
      current = false
    }
    // `read` is a new closure on every render; `key` and `attempt` say when to read again.
  }, [key, attempt])
  const load: LoadState<T> = result.key === key ? result.load : { state: 'loading' }
  return [load, () => setAttempt((n) => n + 1)]
}

/**
 * True from the moment the element comes near the screen (and stays true): costly parts — a chart, its
 * readings — are made only for what the user scrolls to. Without IntersectionObserver, at once.
 */
export function useSeen(ref: RefObject<Element | null>, margin = '200px'): boolean {
  const [seen, setSeen] = useState(false)
  useEffect(() => {
    const element = ref.current
    if (seen || !element) return
    if (typeof IntersectionObserver === 'undefined') {
      setSeen(true)
      return
    }
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) {
          setSeen(true)
          observer.disconnect()
        }
      },
      { rootMargin: margin },
    )
    observer.observe(element)
    return () => observer.disconnect()
  }, [seen, margin])
  return seen
}
