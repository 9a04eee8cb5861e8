import { readFileSync } from 'node:fs';

/**
 * Fails `make test-integration` when a test did not run. Vitest reports the tests under a failed `beforeAll`
 * as skipped (the file fails too, but the tests' own verdicts read "skipped"); no integration test may be
 * skipped, for any reason. Reads the report of vitest's `json` reporter (its Jest-compatible format).
 */
interface JsonReport {
  numPassedTests: number;
  testResults: { name: string; assertionResults: { fullName: string; status: string }[] }[];
}

const [path] = process.argv.slice(2);
if (path === undefined) {
  console.error('usage: checkNoSkippedTests <vitest json report>');
  process.exit(64);
}
const report = JSON.parse(readFileSync(path, 'utf8')) as JsonReport;
const notRun = report.testResults.flatMap((file) => file.assertionResults
  .filter((t) => t.status !== 'passed' && t.status !== 'failed')
  .map((t) => `${file.name}: ${t.fullName} (${t.status})`));
if (notRun.length > 0) {
  console.error(`${String(notRun.length)} integration test(s) did not run:\n  ${notRun.join('\n  ')}`);
  process.exitCode = 1;
} else {
  console.log(`${String(report.numPassedTests)} integration tests passed, none skipped`);
}
