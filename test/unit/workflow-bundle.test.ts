import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';

describe('the workflow bundle', () => {
  it('leaves date-holidays out: public holidays are resolved at start, and the sandbox reads plain dates', async () => {
    const { code } = await bundleWorkflowCode({
      workflowsPath: path.resolve(__dirname, '..', '..', 'workflows', 'index.ts'),
      logger: new DefaultLogger('WARN'),
    });
    expect(code.includes('rejectionFollowUp')).toBe(true);
    expect(code.includes('date-holidays'), 'date-holidays is in the workflow bundle').toBe(false);
    expect(code.includes('Thanksgiving'), 'holiday data is in the workflow bundle').toBe(false);
  }, 60_000);
});
