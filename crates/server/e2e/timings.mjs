// Page timings of the web UI: starts `rolegraph serve DIR`, waits until the analysis is ready
// (`/api/status`), then loads each page in headless Chromium five times and prints the median
// time from navigation to the page's content being drawn (the roles table filled, the role's
// graph drawn, the findings listed). Not a test: its figures go to docs/benchmarks.md.
// Usage: node timings.mjs DIR [ROLE]   (env: ROLEGRAPH_BIN, default ../../../target/release/rolegraph;
// CHROMIUM, default /usr/bin/chromium)
import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const BIN = process.env.ROLEGRAPH_BIN || resolve(here, '../../../target/release/rolegraph');
const [dir, role] = process.argv.slice(2);
if (!dir) { console.error('usage: node timings.mjs DIR [ROLE]'); process.exit(2); }

const child = spawn(BIN, ['serve', dir, '--port', '0'], { stdio: ['ignore', 'pipe', 'ignore'] });
const url = await new Promise((res, rej) => {
  let out = '';
  child.stdout.on('data', (d) => { out += d; const m = out.match(/listening on (http:\/\/\S+)/); if (m) res(m[1]); });
  child.on('exit', (c) => rej(new Error(`server exited with ${c}`)));
});
try {
  const started = Date.now();
  for (;;) {
    const st = await (await fetch(`${url}/api/status`)).json();
    if (st.ready) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  console.log(`analysis ready after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const someRole = role || (await (await fetch(`${url}/api/roles?limit=1&sort=privilege&order=desc`)).json()).roles[0].arn;
  const pages = [
    ['overview', '/', 'h2:has-text("Riskiest roles")'],
    ['roles', '/roles', '#page-info'],
    ['role', `/role?arn=${encodeURIComponent(someRole)}`, '#cy svg g.node'],
    ['findings', '/findings', 'tbody tr.finding'],
  ];
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox', '--headless'] });
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.setDefaultTimeout(60000);
  for (const [name, path, ready] of pages) {
    const times = [];
    for (let i = 0; i < 6; i += 1) {
      const t = Date.now();
      await page.goto(`${url}${path}`);
      await page.waitForSelector(ready);
      if (i > 0) times.push(Date.now() - t); // the first load warms the caches
    }
    times.sort((a, b) => a - b);
    console.log(`${name.padEnd(9)} median ${times[2]} ms, max ${times[times.length - 1]} ms`);
  }
  await browser.close();
} finally {
  child.kill();
}
