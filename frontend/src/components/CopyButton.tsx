import { useState } from 'react'
import type { RefObject } from 'react'

// copyText puts text on the clipboard. The Clipboard API needs a secure context; on
// plain http (a panel reached by IP, for example) it falls back to selecting the shown
// text and the older copy command.
async function copyText(text: string, source: RefObject<HTMLElement | null>): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text)
      return true
    }
  } catch {
    // fall through to the selection
  }
  const node = source.current
  if (!node) return false
  const range = document.createRange()
  range.selectNodeContents(node)
  const selection = window.getSelection()
  selection?.removeAllRanges()
  selection?.addRange(range)
  try {
    return document.execCommand('copy')
  } catch {
    return false
  }
}

// CopyButton copies text and says so in a live region.
export function CopyButton({
  text,
  source,
  label = 'Copy',
  className = 'btn btn--secondary',
}: {
  text: string
  source: RefObject<HTMLElement | null>
  label?: string
  className?: string
}) {
  const [status, setStatus] = useState('')
  return (
    <>
      <button
        type="button"
        className={className}
        onClick={async () => {
          const ok = await copyText(text, source)
          setStatus(ok ? 'Copied to the clipboard.' : 'Copy failed: the text is selected, press Ctrl+C (⌘C).')
        }}
      >
        {label}
      </button>
      <span className="copy-status" role="status" aria-live="polite">
        {status}
      </span>
    </>
  )
}
