// Read something at once and again every `intervalMs` while the page is on screen; at once when it comes back
// into view. One read at a time; stopped when the component goes or `key` changes.
import { useEffect, useRef } from 'preact/hooks'

function visible(): boolean {
  return typeof document === 'undefined' || document.visibilityState !== 'hidden'
}

export function useVisiblePoll(read: () => Promise<void>, intervalMs: number, key: string | number): void {
  const latest = useRef(read)
  latest.current = read
  useEffect(() => {
    let running = false
    let stopped = false
    const tick = async () => {
      if (running || stopped || !visible()) return
      running = true
      try {
        await latest.current()
      } finally {
        running = false
      }
    }
    void tick()
    const timer = setInterval(() => void tick(), intervalMs)
    const wake = () => {
      if (visible()) void tick()
    }
    document.addEventListener('visibilitychange', wake)
    return () => {
      stopped = true
      clearInterval(timer)
      document.removeEventListener('visibilitychange', wake)
    }
  }, [key, intervalMs])
}
