/**
 * Workflow interceptor modules bundled with the workflow code (they run inside the sandbox): tracing, which continues
 * the starter's trace into the workflow and passes it on to each activity. Every bundle of workflows/ must list
 * them: the worker's own bundling (temporalWorkerOptions), scripts/build-workflow-bundle.ts and the test harness.
 */
export const WORKFLOW_INTERCEPTOR_MODULES: string[] = [require.resolve('../../workflows/tracing-interceptors')];
