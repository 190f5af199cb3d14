import { defineConfig, mergeConfig } from 'vitest/config'
import viteConfig from './vite.config.ts'

export default mergeConfig(
  viteConfig,
  defineConfig({
    test: {
      environment: 'happy-dom',
      include: ['src/**/*.test.{ts,tsx}'],
      restoreMocks: true,
      setupFiles: ['src/test/setup.ts'],
      // contrast.test.ts reads the colour tokens as text.
      css: { include: [/tokens\.css/] },
    },
  }),
)
