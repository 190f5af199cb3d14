// The panel's token format, checked in the browser before a pasted token is put into a
// kubeconfig (the same rule as tokens/format.go): "kaas_", 43 base62 characters of secret,
// then 6 base62 characters of the secret's CRC32. A mistyped or cut token fails here.

export const TOKEN_PREFIX = 'kaas_'
const SECRET_CHARS = 43
const CHECKSUM_CHARS = 6
export const TOKEN_LENGTH = TOKEN_PREFIX.length + SECRET_CHARS + CHECKSUM_CHARS
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

const CRC_TABLE = (() => {
  const table = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    table[n] = c >>> 0
  }
  return table
})()

// crc32 is the IEEE CRC32 of an ASCII string.
export function crc32(text: string): number {
  let crc = 0xffffffff
  for (let i = 0; i < text.length; i++) crc = CRC_TABLE[(crc ^ text.charCodeAt(i)) & 0xff] ^ (crc >>> 8)
  return (crc ^ 0xffffffff) >>> 0
}

// checkToken says what is wrong with a pasted token, or null when it has the panel's
// shape and a right checksum. It cannot tell whether the token is still valid: only the
// panel knows, and the token is not sent to it.
export function checkToken(token: string): string | null {
  if (token === '') return 'Paste a token you hold.'
  if (!token.startsWith(TOKEN_PREFIX)) return `A token of this panel starts with ${TOKEN_PREFIX}.`
  if (token.length !== TOKEN_LENGTH) return `A token of this panel is ${TOKEN_LENGTH} characters long; this one is ${token.length}. Is it cut or doubled?`
  let sum = 0
  for (let i = TOKEN_PREFIX.length; i < token.length; i++) {
    const digit = ALPHABET.indexOf(token[i])
    if (digit < 0) return 'A token holds only letters and digits after its prefix.'
    if (i >= TOKEN_PREFIX.length + SECRET_CHARS) sum = sum * 62 + digit
  }
  if (sum !== crc32(token.slice(TOKEN_PREFIX.length, TOKEN_PREFIX.length + SECRET_CHARS))) {
    return 'This token’s checksum does not match: a character is mistyped.'
  }
  return null
}
