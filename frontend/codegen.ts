import type { CodegenConfig } from '@graphql-codegen/cli';

// ../schema.graphql is the SDL the server exports (CI checks it does not drift from the
// server); the types here follow it, so a schema change that breaks the UI fails `tsc`.
const schema = '../schema.graphql';

const config: CodegenConfig = {
  schema,
  documents: ['src/**/*.{ts,tsx}', '!src/graphql/generated.ts'],
  generates: {
    'src/graphql/generated.ts': {
      plugins: ['typescript-operations'],
      config: {
        scalars: { DateTime: 'string', JSON: 'unknown', Upload: 'File' },
        enumsAsTypes: true,
        avoidOptionals: { field: true, inputValue: false, object: true },
        nonOptionalTypename: false,
        skipTypename: false,
      },
    },
  },
};
export default config;
