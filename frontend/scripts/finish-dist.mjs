// finish-dist runs after `vite build`: it copies the GraphQL playground's files into
// dist/playground/ (the panel serves them itself, so the playground works without a CDN)
// and recreates dist/.gitkeep, which vite's emptyOutDir removed and `go build` needs.
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const dist = join(root, 'dist')

// The versions are the ones gqlgen's playground pins (see package.json aliases); the
// files are byte-identical to what its CDN links serve, so its SRI hashes still match.
const playgroundFiles = [
  ['graphiql-dist/graphiql.min.js', 'graphiql.min.js'],
  ['graphiql-dist/graphiql.min.css', 'graphiql.min.css'],
  ['react-umd/umd/react.production.min.js', 'react.production.min.js'],
  ['react-dom-umd/umd/react-dom.production.min.js', 'react-dom.production.min.js'],
]

mkdirSync(join(dist, 'playground'), { recursive: true })
for (const [from, to] of playgroundFiles) {
  copyFileSync(join(root, 'node_modules', from), join(dist, 'playground', to))
}
writeFileSync(join(dist, '.gitkeep'), '')
console.log(`dist: copied ${playgroundFiles.length} playground files, restored .gitkeep`)
