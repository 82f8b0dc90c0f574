// Prints one plain closing line, `N passed, N failed` (and skipped), that any CI log reader understands. When the
// run covered one kind of tests only (`npm test` runs the unit project, then the system project), it says which.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const kinds = [...new Set(results.testResults.map((r) => (typeof r.displayName === 'object' ? r.displayName?.name : r.displayName)))];
    const which = kinds.length === 1 && kinds[0] ? ` (${kinds[0]} tests)` : '';
    process.stdout.write(`\njest: ${results.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}${which}\n`);
  }
}
module.exports = SummaryReporter;
