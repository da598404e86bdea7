/**
 * failures.html, bringup's page next to Cucumber's report: one section per
 * failed scenario with the failed step and its message, the command that
 * replays its recording, the display picture and the console log with the
 * failed expectation highlighted (scenario/check/marked-log.ts).
 */

import * as path from 'node:path';
import { parseMarkedLog } from '../scenario/check/marked-log';
import type { RunReport } from './test-run-messages';
import { shownPath, XML_INVALID } from './test-junit';

const html = (v: string) => v.replace(XML_INVALID, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const href = (file: string, from: string) => shownPath(file, from).split(path.sep).map(encodeURIComponent).join('/');

function logHtml(text: string, anchor: string): string {
  let first = true;
  return parseMarkedLog(text).map((l) => {
    const id = l.kind !== 'line' && l.kind !== 'note' && first ? (first = false, ` id="${anchor}"`) : '';
    return l.kind === 'line' ? html(l.text) : `<span class="${l.kind}"${id}>${html(l.text)}</span>`;
  }).join('\n');
}

export function failuresHtml(run: RunReport, dir: string, base: string): string {
  const failed = run.cases.filter((c) => c.failure && c.status !== 'SKIPPED');
  const sections = failed.map((c, i) => {
    const pictures = c.files.filter((f) => f.endsWith('.png'));
    const marked = c.logs.filter((l) => l.marked);
    const plain = c.logs.filter((l) => !l.marked);
    const anchor = `failure-${i + 1}`;
    return [
      `<section class="failure" id="scenario-${i + 1}">`,
      `<h2>${html(c.classname)}: ${html(c.name)}</h2>`,
      `<p class="where">${html(c.uri)}:${c.line}${c.failedStep ? ` &mdash; failed at <code>${html(c.failedStep)}</code>` : ''}${marked.length ? ` &mdash; <a href="#${anchor}-1">to the failure in the console log</a>` : ''}</p>`,
      c.failure?.message ?? c.failure?.stack ? `<pre class="error">${html(c.failure?.message ?? c.failure?.stack ?? '')}</pre>` : '',
      c.replay ? `<h3>Replay</h3>\n<pre class="command">${html(c.replay.command)}</pre>${c.replay.note ? `\n<p>${html(c.replay.note)}</p>` : ''}` : '',
      c.recording ? `<p>recording: <code>${html(shownPath(c.recording, base))}</code></p>` : '',
      ...pictures.map((p) => `<h3>Display: ${html(path.basename(p))}</h3>\n<img src="${html(href(p, dir))}" alt="the display at the end of the run">`),
      ...marked.map((l, k) => `<h3>Console log, the failure marked: ${html(l.name)}</h3>\n<pre class="log">${logHtml(l.text, `${anchor}-${k + 1}`)}</pre>`),
      ...plain.map((l) => `<details><summary>Console log: ${html(l.name)}</summary>\n<pre class="log">${html(l.text)}</pre></details>`),
      c.files.length ? `<h3>Files</h3>\n<ul>${c.files.map((f) => `<li><a href="${html(href(f, dir))}">${html(shownPath(f, base))}</a></li>`).join('')}</ul>` : '',
      '</section>',
    ].filter(Boolean).join('\n');
  });
  const summary = failed.length ? `${failed.length} of ${run.cases.length} scenario(s) failed.` : `No scenario failed (${run.cases.length} ran).`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>bringup test: failed scenarios</title>
<style>
body { font-family: sans-serif; margin: 1.5em; }
section.failure { border-top: 2px solid #b00; margin-top: 2em; }
pre { background: #f6f6f6; padding: 0.5em; overflow-x: auto; }
pre.error { color: #700; }
pre.log { max-height: 40em; overflow-y: auto; }
pre.log .hit, .legend-hit { background: #ffd24d; font-weight: bold; }
pre.log .mark, .legend-mark { background: #b00; color: #fff; }
pre.log .mark { display: inline-block; width: 100%; }
pre.log .note { color: #666; }
img { max-width: 100%; border: 1px solid #ccc; }
</style></head>
<body>
<h1>bringup test: failed scenarios</h1>
<p>${summary}${failed.length ? ` Each failed scenario shows the failed step, the command that replays its recording, the display and the console log with
the failed expectation marked: <span class="legend-hit">&gt;&gt;</span> flags the line it points at, <span class="legend-mark">!!</span> says what failed
(an expected line that never came is said where the console ends).` : ''}</p>
${sections.join('\n')}
</body></html>
`;
}
