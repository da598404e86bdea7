// Runs the Cucumber features (features/*.feature) in as many workers as there
// are cores (at most 4), with the HTML and JUnit reports and failures.html in
// reports/ (a failed scenario's marked console log, display, recording path
// and replay command attached: docs/scenarios.md, "Reports"), and
// counts the scenarios from cucumber-js's JSON report. Shared by `npm test`
// and the bring-up suite (`npm start`).
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');

/** Returns { pass, fail, skipped } counted by scenario. */
function runFeatures({ progressFormat } = {}) {
  const counts = { pass: 0, fail: 0, skipped: 0 };
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bringup-features-'));
  const report = path.join(tmp, 'cucumber.json');
  const { cucumberArgs, testOptions, claimReportsDir, defaultFormat } = require('../dist/cli/test');
  // The progress report bringup test prints (closest steps, no snippets for undefined ones), unless the caller names a format.
  const progress = progressFormat ? ['--format', progressFormat] : defaultFormat([]);
  const workers = Math.max(1, Math.min(4, os.availableParallelism ? os.availableParallelism() : os.cpus().length));
  // reports/, unless another run is writing there (then reports/run-PID).
  const claimed = claimReportsDir(path.join(root, 'reports'));
  const reports = claimed.dir;
  const { cucumber } = testOptions(['--parallel', String(workers), '--reports', reports]);
  console.log(`\n# Cucumber features (${workers} worker${workers > 1 ? 's' : ''}; reports in ${path.relative(root, reports)}/)`);
  const messages = path.join(tmp, 'messages.ndjson');
  let c;
  try {
    c = spawnSync(process.execPath, cucumberArgs([...cucumber, ...progress, '--format', `json:${report}`, '--format', `message:${messages}`]), {
      stdio: 'inherit', cwd: root, env: { ...process.env, BRINGUP_REPORTS_DIR: reports },
    });
    // junit.xml and failures.html with what every failed scenario left, as `bringup test` writes them.
    for (const line of require('../dist/cli/test-reports').writeTestReports(messages, reports, root)) console.log(line);
  } finally {
    claimed.release();
  }
  let counted = false;
  if (fs.existsSync(report)) {
    try {
      for (const feature of JSON.parse(fs.readFileSync(report, 'utf8'))) {
        for (const el of feature.elements ?? []) {
          if (el.type !== 'scenario') continue;
          const statuses = [...(el.before ?? []), ...(el.steps ?? []), ...(el.after ?? [])].map((st) => st.result?.status);
          if (statuses.some((x) => x === 'failed' || x === 'undefined' || x === 'ambiguous')) counts.fail++;
          else if (statuses.some((x) => x === 'skipped' || x === 'pending')) counts.skipped++;
          else counts.pass++;
        }
      }
      counted = true;
    } catch (e) {
      console.log(`cannot read the Cucumber report ${report}: ${e.message}`);
    }
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  if (c.status !== 0 && counts.fail === 0) {
    console.log(`cucumber-js ${c.signal ? `was killed by ${c.signal}` : `exited with status ${c.status}`}${counted ? '' : ' without a report'}`);
    counts.fail++;
  }
  return counts;
}

module.exports = { runFeatures };
