import type { Reporter, TestModule } from 'vitest/node';

/** Prints "frontend-unit: N passed, N failed" as the last line, a summary any CI can read. */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>) {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const mod of testModules) {
      for (const test of mod.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
      }
      if (mod.state() === 'failed' && !Array.from(mod.children.allTests()).some((t) => t.result().state === 'failed')) failed++;
    }
    const line = `frontend-unit: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`;
    // The default reporter prints its summary after this hook; print ours last of all.
    process.once('exit', () => process.stdout.write(`\n${line}\n`));
  }
}
