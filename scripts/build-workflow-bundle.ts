// Bundles workflow code once (webpack), so a worker started with WORKFLOW_BUNDLE_PATH polls without bundling.
//   build-workflow-bundle.ts [OUT=dist/workflow-bundle.js] [WORKFLOWS=workflows]  (WORKFLOWS: a module, from the root)
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from '../src/temporal/data-converter';
import { WORKFLOW_INTERCEPTOR_MODULES } from '../src/temporal/workflow-interceptors';

async function main() {
  const out = path.resolve(process.argv[2] ?? 'dist/workflow-bundle.js');
  const workflowsPath = require.resolve(path.resolve(__dirname, '..', process.argv[3] ?? 'workflows'));
  // The failure converter goes into the bundle too: failures the workflow code raises are encoded like the rest.
  const { code } = await bundleWorkflowCode({ workflowsPath, workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES, failureConverterPath: FAILURE_CONVERTER_PATH });
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, code);
  console.log(`workflow bundle written to ${out} (${Math.round(code.length / 1024)} KiB)`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
