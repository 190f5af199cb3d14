import type { CodegenConfig } from '@graphql-codegen/cli'

// Types for every GraphQL document in src/ are generated from the server's schema, which
// is the contract. `npm run codegen` regenerates src/gql/ (committed, so `tsc` works
// without running this); `npm run codegen:check` fails when it is stale.
const config: CodegenConfig = {
  schema: '../graph/*.graphqls',
  documents: ['src/**/*.{ts,tsx}', '!src/gql/**/*'],
  ignoreNoDocuments: true,
  generates: {
    'src/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { Time: 'string' },
        avoidOptionals: { field: true, inputValue: false },
        defaultScalarType: 'unknown',
      },
    },
  },
}

export default config
