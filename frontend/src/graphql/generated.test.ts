// @vitest-environment node
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { generate } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';
import config from '../../codegen';

describe('generated GraphQL types', () => {
  it('match ../schema.graphql and the operations (run `npm run codegen` if not)', async () => {
    const root = path.resolve(__dirname, '../..');
    const cwd = process.cwd();
    process.chdir(root);
    try {
      const [out] = await generate({ ...config, silent: true }, false);
      const committed = readFileSync(path.join(root, 'src/graphql/generated.ts'), 'utf8');
      expect(out.content.trim()).toBe(committed.trim());
    } finally {
      process.chdir(cwd);
    }
  }, 30000);
});
