import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

// The panel server (Go) serves the built app itself. In development Vite serves the app
// and forwards the API to a panel started with `--addr 127.0.0.1:8080`. changeOrigin must
// stay off: the server compares Origin with Host and refuses cross-site requests and
// websocket upgrades.
const panel = process.env.KAAS_DEV_BACKEND ?? 'http://127.0.0.1:8080'

export default defineConfig({
  plugins: [react()],
  server: {
    proxy: {
      '/graphql': { target: panel, ws: true },
      '/playground': { target: panel },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
  },
})
