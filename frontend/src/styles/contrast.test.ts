import { describe, expect, it } from 'vitest'
import tokens from './tokens.css?raw'

// The colour pairs the app puts text on, checked against WCAG AA (4.5:1 for text).
const pairs: [string, string][] = [
  ['--color-text', '--color-bg'],
  ['--color-text', '--color-surface'],
  ['--color-text-muted', '--color-surface'],
  ['--color-text-muted', '--color-bg'],
  ['--color-primary', '--color-surface'],
  ['--color-on-primary', '--color-primary'],
  ['--color-on-primary', '--color-primary-strong'],
  ['--color-on-primary-muted', '--color-primary'],
  ['--color-primary-text', '--color-primary-soft'],
  ['--color-danger', '--color-surface'],
  ['--color-danger', '--color-danger-bg'],
  ['--color-danger-text', '--color-danger-bg'],
  ['--color-success-text', '--color-success-bg'],
  ['--color-warning-text', '--color-warning-bg'],
  ['--color-warning-text', '--color-surface'],
  ['--color-info-text', '--color-info-bg'],
  ['--color-text-muted', '--color-hover'],
]

function colour(name: string): string {
  const m = tokens.match(new RegExp(`${name}:\\s*(#[0-9a-fA-F]{6})`))
  if (!m) throw new Error(`${name} is not a #rrggbb colour in tokens.css`)
  return m[1]
}

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4
  })
  return 0.2126 * r + 0.7152 * g + 0.0722 * b
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x)
  return (hi + 0.05) / (lo + 0.05)
}

describe('colour tokens', () => {
  for (const [fg, bg] of pairs) {
    it(`${fg} on ${bg} meets AA`, () => {
      expect(contrast(colour(fg), colour(bg))).toBeGreaterThanOrEqual(4.5)
    })
  }
})
