import { useEffect, useRef } from 'react'

// usePolling calls poll every intervalMs while enabled, and stops on unmount or when
// disabled. It skips a turn while the tab is hidden: nobody is looking, and the next
// visible turn fetches anyway. The latest poll is always the one called.
export function usePolling(poll: () => void, intervalMs: number, enabled = true): void {
  const latest = useRef(poll)
  useEffect(() => {
    latest.current = poll
  }, [poll])
  useEffect(() => {
    if (!enabled) return
    const timer = setInterval(() => {
      if (typeof document !== 'undefined' && document.visibilityState === 'hidden') return
      latest.current()
    }, intervalMs)
    return () => clearInterval(timer)
  }, [intervalMs, enabled])
}
