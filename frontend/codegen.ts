import type { CodegenConfig } from '@graphql-codegen/cli';

// ../schema.graphql is the SDL the server exports (CI checks it does not drift from the
// server); the types here follow it, so a schema change that breaks the UI fails `tsc`.
const schema = '../schema.graphql';

// The client preset types every `graphql(`…`)` document where it is written: operations in
// src/graphql/operations.ts, fragments beside the components that render them. Fragments are
// not masked: a component takes the plain object its fragment describes.
const config: CodegenConfig = {
  schema,
  documents: ['src/**/*.{ts,tsx}', '!src/graphql/generated/**'],
  generates: {
    'src/graphql/generated/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        scalars: { DateTime: 'string', JSON: 'unknown', Upload: 'File' },
        enumType: 'string-literal',
        avoidOptionals: { field: true, inputValue: false, object: true },
        nonOptionalTypename: false,
        useTypeImports: true,
      },
    },
  },
};
export default config;
