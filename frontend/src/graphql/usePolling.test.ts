import { renderHook } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { usePolling } from './usePolling'

describe('usePolling', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('polls on every interval and stops on unmount', () => {
    const poll = vi.fn()
    const { unmount } = renderHook(() => usePolling(poll, 30_000))
    vi.advanceTimersByTime(29_999)
    expect(poll).not.toHaveBeenCalled()
    vi.advanceTimersByTime(1)
    expect(poll).toHaveBeenCalledTimes(1)
    vi.advanceTimersByTime(60_000)
    expect(poll).toHaveBeenCalledTimes(3)
    unmount()
    vi.advanceTimersByTime(120_000)
    expect(poll).toHaveBeenCalledTimes(3)
  })

  it('does not poll while disabled', () => {
    const poll = vi.fn()
    const { rerender } = renderHook(({ on }) => usePolling(poll, 1000, on), { initialProps: { on: false } })
    vi.advanceTimersByTime(5000)
    expect(poll).not.toHaveBeenCalled()
    rerender({ on: true })
    vi.advanceTimersByTime(1000)
    expect(poll).toHaveBeenCalledTimes(1)
    rerender({ on: false })
    vi.advanceTimersByTime(5000)
    expect(poll).toHaveBeenCalledTimes(1)
  })

  it('calls the latest callback', () => {
    const first = vi.fn()
    const second = vi.fn()
    const { rerender } = renderHook(({ poll }) => usePolling(poll, 1000), { initialProps: { poll: first } })
    rerender({ poll: second })
    vi.advanceTimersByTime(1000)
    expect(first).not.toHaveBeenCalled()
    expect(second).toHaveBeenCalledTimes(1)
  })
})
