import { describe, expect, it } from 'vitest'
import { checkToken, crc32 } from './token'

// Made by tokens.Generate (Go) from 32 bytes of 1 and of 7.
const GOOD = ['kaas_0El6XFXwsUFD8J2vGxsaboW7rZYnQRBP5d9erwRwd291Whv5k', 'kaas_1fJjkkpe9PiTw9KSulA8Ghct30vZz4HpdQ5c5b9cPF12dZ9Ea']

describe('checkToken', () => {
  const cases = [
    { name: 'a token made by the panel', token: GOOD[0], want: null },
    { name: 'another', token: GOOD[1], want: null },
    { name: 'empty', token: '', want: /Paste a token/ },
    { name: 'no prefix', token: GOOD[0].slice(5), want: /starts with kaas_/ },
    { name: 'cut', token: GOOD[0].slice(0, -1), want: /54 characters long; this one is 53/ },
    { name: 'doubled', token: GOOD[0] + GOOD[0], want: /this one is 108/ },
    { name: 'a character mistyped', token: GOOD[0].slice(0, 10) + (GOOD[0][10] === 'a' ? 'b' : 'a') + GOOD[0].slice(11), want: /checksum does not match/ },
    { name: 'a character not in the alphabet', token: GOOD[0].slice(0, 10) + '-' + GOOD[0].slice(11), want: /only letters and digits/ },
  ]
  for (const c of cases) {
    it(c.name, () => {
      const got = checkToken(c.token)
      if (c.want === null) expect(got).toBeNull()
      else expect(got).toMatch(c.want)
    })
  }
})

describe('crc32', () => {
  it('matches the IEEE check value', () => expect(crc32('123456789')).toBe(0xcbf43926))
})
