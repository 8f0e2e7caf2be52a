// @vitest-environment node
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { generate } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';
import config from '../../codegen';

describe('generated GraphQL types', () => {
  it('match ../schema.graphql and the documents (run `npm run codegen` if not)', async () => {
    const root = path.resolve(__dirname, '../..');
    const cwd = process.cwd();
    process.chdir(root);
    try {
      const outputs = await generate({ ...config, silent: true }, false);
      expect(outputs.length).toBeGreaterThan(0);
      for (const out of outputs) {
        const committed = readFileSync(path.resolve(root, out.filename), 'utf8');
        expect(out.content.trim(), out.filename).toBe(committed.trim());
      }
    } finally {
      process.chdir(cwd);
    }
  }, 30000);
});
