import { existsSync } from 'node:fs';
import type { CodegenConfig } from '@graphql-codegen/cli';

// ../schema.graphql is the SDL the server exports (CI checks it does not drift); the sketch
// only stands in while the backend has not committed it yet.
const schema = existsSync('../schema.graphql') ? '../schema.graphql' : 'src/graphql/schema.sketch.graphql';

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
