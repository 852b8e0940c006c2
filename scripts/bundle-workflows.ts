// Builds the workflow bundle ahead of time, as the container image does: the worker then loads it with
// ONWARD_WORKFLOW_BUNDLE instead of running webpack at every start.
//
//   npx tsx scripts/bundle-workflows.ts [out-file]     (default: dist/workflow-bundle.js)
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { createDataConverter } from '../common/codec';
import { WORKFLOWS_PATH } from '../worker/worker';

export const DEFAULT_BUNDLE_PATH = path.resolve(__dirname, '..', 'dist', 'workflow-bundle.js');

/**
 * Bundles workflows/index.ts (every workflow the worker registers) into one file; returns its path and size. The
 * bundle holds what the worker would bundle at start: the workflows and the data converter's modules (the failure
 * converter that encrypts error messages), which a worker given a prebuilt bundle no longer adds by itself.
 */
export async function buildWorkflowBundle(outFile: string = DEFAULT_BUNDLE_PATH): Promise<{ path: string; bytes: number }> {
  const { payloadConverterPath, failureConverterPath } = createDataConverter(undefined);
  const { code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    payloadConverterPath,
    failureConverterPath,
    logger: new DefaultLogger('WARN'),
  });
  const target = path.resolve(outFile);
  mkdirSync(path.dirname(target), { recursive: true });
  writeFileSync(target, code);
  return { path: target, bytes: Buffer.byteLength(code) };
}

if (require.main === module) {
  buildWorkflowBundle(process.argv[2]).then(
    ({ path: file, bytes }) => console.log(`Workflow bundle written to ${file} (${Math.round(bytes / 1024)} KiB)`),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
