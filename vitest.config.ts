import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

/**
 * Files that run for minutes (python-real.test.ts trains pytorch/examples' LSTM twice). A fresh
 * clone has no durations from an earlier run, so vitest would order files by size and could
 * start one of these last, with the other worker idle while it runs: they go first.
 */
const LONG_FILES = ['test/runner/python-real.test.ts', 'test/cli/cli.test.ts'];

class LongFilesFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const long = (f: TestSpecification): boolean =>
      LONG_FILES.some((l) => f.moduleId.endsWith(`/${l}`));
    return [...sorted.filter(long), ...sorted.filter((f) => !long(f))];
  }
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // test/e2e runs in a real VS Code: `npm run test:e2e` (vitest.e2e.config.ts).
    exclude: ['test/e2e/**', '**/node_modules/**'],
    testTimeout: 60_000,
    pool: 'forks',
    // vitest's default is one worker fewer than the cores: a single one on a 2-core machine.
    maxWorkers: '100%',
    sequence: { sequencer: LongFilesFirst },
  },
});
