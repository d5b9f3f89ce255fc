// End-to-end test of the web UI: starts `rolegraph serve` on the demo organization (and on a
// copy with a hostile role name), drives Debian's headless Chromium with playwright-core, and
// checks the overview, the roles table, a role's graph (every node and edge of
// `who-can-assume` drawn, an edge's conditions, a node's path hop by hop, the grouped list of who
// reaches the role), a finding's evidence, the findings filters and escaping; a role's CloudTrail usage on a server started with
// `--trail` (and its absence without); then stores two snapshots (the demo and a changed
// copy) in a history database, serves it without a folder, and checks the Changes page and a
// role's History. Prints `N passed, N failed`; exit 1 on a failure.
//
// Usage: node run.mjs   (env: ROLEGRAPH_BIN, the binary, default $CARGO_TARGET_DIR/debug/rolegraph, else
// ../../../target/debug/rolegraph;
// CHROMIUM, default /usr/bin/chromium; SCREENSHOT, default $TMPDIR/rolegraph-role-graph.png;
// SHOTS, the folder of the pages' screenshots, default target/e2e-screenshots)
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const BIN = process.env.ROLEGRAPH_BIN
  || join(process.env.CARGO_TARGET_DIR ? resolve(process.env.CARGO_TARGET_DIR) : join(root, 'target'), 'debug/rolegraph');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SCREENSHOT = process.env.SCREENSHOT || join(tmpdir(), 'rolegraph-role-graph.png');
// A screenshot of each page, for docs/web.md and for a look after a run.
const SHOTS = process.env.SHOTS || join(process.env.CARGO_TARGET_DIR ? resolve(process.env.CARGO_TARGET_DIR) : join(root, 'target'), 'e2e-screenshots');
mkdirSync(SHOTS, { recursive: true });
const shot = (page, name) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: false });
const HOSTILE = '<img src=x onerror=alert(1)><script>alert(2)</script>';

let passed = 0;
let failed = 0;
async function check(name, fn) {
  try {
    await fn();
    passed += 1;
    console.log(`ok   ${name}`);
  } catch (e) {
    failed += 1;
    console.log(`FAIL ${name}: ${e.message.split('\n')[0]}`);
  }
}
function assert(cond, msg) { if (!cond) throw new Error(msg); }

// Polls `fn` in the page until it returns true (page.waitForFunction evaluates a string, which
// the server's CSP rightly refuses).
async function waitFor(page, fn, what, ms = 15000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await page.evaluate(fn).catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

// Starts the server on `dir` (or with other arguments: an array); resolves with { url, child }
// once it prints its address.
function serve(dir) {
  const args = Array.isArray(dir) ? dir : [dir];
  return new Promise((res, rej) => {
    const child = spawn(BIN, ['serve', ...args, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => rej(new Error(`no address from ${BIN} within 60 s`)), 60000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/\S+)/);
      if (m) { clearTimeout(timer); res({ url: m[1], child }); }
    });
    child.on('exit', (code) => { clearTimeout(timer); rej(new Error(`server exited with ${code}`)); });
  });
}

// A copy of the demo where the role `prod-deploy` is named `HOSTILE` (JSON-escaped).
function hostileCopy() {
  const dir = mkdtempSync(join(tmpdir(), 'rolegraph-hostile-'));
  cpSync(join(root, 'demo'), dir, { recursive: true });
  const walk = (d) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.json')) {
        const text = readFileSync(p, 'utf8');
        if (text.includes('prod-deploy')) writeFileSync(p, text.split('prod-deploy').join(JSON.stringify(HOSTILE).slice(1, -1)));
      }
    }
  };
  walk(dir);
  return dir;
}

const EXTERNAL = 'arn:aws:iam::999988887777:root';

// A copy of the demo where `build-agent-ec2` also trusts an outside account, `tmp-migration-2019`
// gets AdministratorAccess, `dev-api-handler` runs as `build-agent-ec2`, and `snyk-scanner` is gone.
function changedCopy() {
  const dir = mkdtempSync(join(tmpdir(), 'rolegraph-changed-'));
  cpSync(join(root, 'demo'), dir, { recursive: true });
  const auth = join(dir, 'development/iam-get-account-authorization-details.json');
  const doc = JSON.parse(readFileSync(auth, 'utf8'));
  for (const r of doc.RoleDetailList) {
    if (r.RoleName === 'build-agent-ec2') r.AssumeRolePolicyDocument.Statement.push({ Effect: 'Allow', Principal: { AWS: EXTERNAL }, Action: 'sts:AssumeRole' });
    if (r.RoleName === 'tmp-migration-2019') r.AttachedManagedPolicies.push({ PolicyName: 'AdministratorAccess', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' });
  }
  doc.RoleDetailList = doc.RoleDetailList.filter((r) => r.RoleName !== 'snyk-scanner');
  writeFileSync(auth, JSON.stringify(doc, null, 2));
  const roles = join(dir, 'development/iam-list-roles.json');
  const list = JSON.parse(readFileSync(roles, 'utf8'));
  list.Roles = list.Roles.filter((r) => r.RoleName !== 'snyk-scanner');
  writeFileSync(roles, JSON.stringify(list, null, 2));
  const fns = join(dir, 'development/lambda-list-functions.json');
  const text = readFileSync(fns, 'utf8');
  const moved = text.replace('"Role": "arn:aws:iam::222222222222:role/service-role/dev-lambda-shared"', '"Role": "arn:aws:iam::222222222222:role/build-agent-ec2"');
  if (moved === text) throw new Error('the demo functions changed shape');
  writeFileSync(fns, moved);
  return dir;
}

const started = Date.now();
const servers = [];
const profile = mkdtempSync(join(tmpdir(), 'rolegraph-chromium-'));
let browser;
try {
  const demo = await serve(join(root, 'demo'));
  servers.push(demo.child);
  // A new, empty profile (playwright passes it as --user-data-dir).
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 1000 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const page = browser.pages()[0] || await browser.newPage();
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('dialog', (d) => { problems.push(`dialog: ${d.message()}`); d.dismiss(); });
  // Chromium logs every 404 (such as its own /favicon.ico) as a console error; name the URLs.
  page.on('response', (r) => { if (r.status() === 404) problems.push(`404 ${new URL(r.url()).pathname}`); });
  page.setDefaultTimeout(15000);

  await check('overview shows accounts, kinds, riskiest roles and findings', async () => {
    await page.goto(`${demo.url}/`);
    await page.waitForSelector('h2:has-text("Riskiest roles")');
    const text = await page.textContent('main');
    for (const w of ['production', 'development', 'security-tooling', 'Roles by kind', 'Top findings']) assert(text.includes(w), `no \`${w}\``);
    const rows = await page.locator('table').nth(1).locator('tbody tr').count();
    assert(rows === 10, `riskiest roles: ${rows} rows`);
    await shot(page, 'overview');
  });

  await check('roles table: search, sort, filter and page', async () => {
    await page.click('#nav-roles');
    await page.waitForSelector('#page-info:has-text("of 32 roles")');
    await page.selectOption('select[name=kind]', 'lambda');
    await page.waitForSelector('#page-info:has-text("of 5 roles")');
    await page.selectOption('select[name=kind]', '');
    await page.fill('input[name=q]', 'github-actions-terraform');
    await page.waitForSelector('#page-info:has-text("1–1 of 1 roles")');
    await page.fill('input[name=q]', '');
    await page.waitForSelector('#page-info:has-text("of 32 roles")');
    await page.click('th[data-sort=privilege]');
    await page.click('th[data-sort=privilege]');
    await page.waitForSelector('th.sorted-desc');
    const first = await page.locator('tbody tr').first().locator('td').nth(5).textContent();
    assert(first.startsWith('admin'), `first row after sorting by privilege, descending: ${first}`);
    await page.goto(`${demo.url}/roles?limit=10`);
    await page.waitForSelector('#page-info:has-text("1–10 of 32 roles")');
    await page.click('button:has-text("Next")');
    await page.waitForSelector('#page-info:has-text("11–20 of 32 roles")');
    await shot(page, 'roles');
  });

  // `rolegraph who-can-assume --json` of a demo role: the node ids and the edges (source,
  // target) of every path it lists, a capability node's two halves joined into one edge as the
  // page draws them.
  const whoCanAssume = (role) => {
    const out = JSON.parse(execFileSync(BIN, ['who-can-assume', join(root, 'demo'), role, '--json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
    const nodes = new Set([out.target.id]);
    const edges = new Set();
    for (const r of out.reached_by) {
      const ids = [r.path[0].from, ...r.path.map((h) => h.to)].filter((id) => !id.startsWith('capability:'));
      for (const id of ids) nodes.add(id);
      for (let i = 1; i < ids.length; i += 1) edges.add(`${ids[i - 1]} -> ${ids[i]}`);
    }
    return { nodes, edges, principals: out.reached_by.length };
  };
  const drawnGraph = () => page.evaluate(() => ({
    nodes: [...document.querySelectorAll('#cy svg g.node')].map((n) => n.dataset.id),
    edges: [...document.querySelectorAll('#cy svg g.edge')].map((e) => `${e.dataset.source} -> ${e.dataset.target}`),
  }));

  await check('the role page draws every node and edge of who-can-assume, for three demo roles', async () => {
    for (const role of ['github-actions-terraform', 'prod-deploy', 'legacy-batch-ec2']) {
      const want = whoCanAssume(role);
      assert(want.principals > 0 && want.edges.size > 0, `${role}: who-can-assume lists nothing`);
      await page.goto(`${demo.url}/role?arn=${encodeURIComponent(role)}`);
      await waitFor(page, () => document.querySelectorAll('#cy svg g.node').length >= 2, `the graph of ${role}`);
      const got = await drawnGraph();
      const nodes = new Set(got.nodes);
      const edges = new Set(got.edges);
      const missingNodes = [...want.nodes].filter((n) => !nodes.has(n));
      const missingEdges = [...want.edges].filter((e) => !edges.has(e));
      assert(missingNodes.length === 0, `${role}: nodes of who-can-assume not drawn: ${missingNodes.join(', ')}`);
      assert(missingEdges.length === 0, `${role}: edges of who-can-assume not drawn: ${missingEdges.join(', ')}`);
      if (role === 'legacy-batch-ec2') {
        // An administrator's page: its hundreds of services are summarised, not listed.
        await page.waitForSelector('#permissions-summary');
        const height = await page.evaluate(() => document.documentElement.scrollHeight);
        assert(height < 5000, `the administrator's page is ${height} px tall`);
        assert((await page.textContent('#permissions-summary')).startsWith('All actions of'), 'permissions summary');
      }
      // Drawn, not listed: each edge has a line with a path.
      const lines = await page.$$eval('#cy svg g.edge path.line', (ps) => ps.filter((p) => p.getAttribute('d').startsWith('M')).length);
      assert(lines === got.edges.length, `${role}: ${lines} lines for ${got.edges.length} edges`);
    }
  });

  await check('role page: the grouped list of who reaches it, and the privilege with its path', async () => {
    await page.goto(`${demo.url}/roles`);
    await page.fill('input[name=q]', 'github-actions-terraform');
    await page.waitForSelector('#page-info:has-text("1–1 of 1 roles")');
    await page.click('a.role-link');
    await page.waitForSelector('#role-name:has-text("github-actions-terraform")');
    await page.waitForSelector('#reach .reach-group');
    const groups = await page.$$eval('#reach .reach-group', (gs) => gs.map((g) => g.dataset.group));
    assert(groups.includes('provider') && groups.includes('reach'), `groups: ${groups}`);
    const providers = await page.textContent('#reach .reach-group[data-group=provider]');
    assert(providers.includes('token.actions.githubusercontent.com') && providers.includes('1 hop'), `providers: ${providers}`);
    const text = await page.textContent('main');
    for (const w of ['Trusted entities', 'Permissions by service', 'Privileged permissions', 'oidc-trust-without-sub-condition']) assert(text.includes(w), `no \`${w}\``);
    // The privilege says why, with the path to the administrator (the graph's verdict).
    const why = await page.textContent('#privilege-why');
    assert(why.includes('can become administrator of production'), `privilege why: ${why}`);
    const steps = await page.$$eval('#privilege-path li', (li) => li.map((x) => x.textContent));
    assert(steps.length >= 2 && steps[steps.length - 1].includes('administrator of production'), `path: ${steps}`);
    await shot(page, 'role');
  });

  await check('clicking an edge shows its conditions and evidence', async () => {
    const id = 'arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com|can-assume|arn:aws:iam::111111111111:role/github-actions-terraform';
    await page.locator(`#cy svg g.edge[data-id="${id}"]`).click();
    await page.waitForSelector('#edge-conditions li');
    const conds = await page.textContent('#edge-conditions');
    assert(conds.includes('StringEquals token.actions.githubusercontent.com:aud = sts.amazonaws.com'), `conditions: ${conds}`);
    const stray = await page.$eval('#side', (side) => [...side.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent));
    assert(stray.length === 0, `text outside the panel's elements: ${stray}`);
    const ev = await page.textContent('#edge-evidence');
    assert(ev.includes('github-actions-terraform trust policy') && ev.includes('/Statement/0'), `evidence: ${ev}`);
    await page.screenshot({ path: SCREENSHOT, fullPage: false });
  });

  await check('clicking a node highlights its path and lists each hop with its decision', async () => {
    await page.goto(`${demo.url}/role?arn=${encodeURIComponent('arn:aws:iam::111111111111:role/prod-deploy')}`);
    const provider = 'arn:aws:iam::222222222222:oidc-provider/token.actions.githubusercontent.com';
    await waitFor(page, () => document.querySelectorAll('#cy svg g.node').length >= 3, 'the graph');
    // Every hop back is drawn at once: the GitHub provider that can assume ci-deployer too.
    const kinds = await page.$$eval('#cy svg g.node', (ns) => ns.map((n) => n.dataset.kind));
    assert(kinds.includes('oidc-provider'), `kinds: ${kinds}`);
    await page.locator(`#cy svg g.node[data-id="${provider}"]`).click();
    await page.waitForSelector('#node-path li');
    const hops = await page.$$eval('#node-path > li summary', (s) => s.map((x) => x.textContent));
    assert(hops.length === 2 && hops[0].includes('—can-assume→ ci-deployer') && hops[1].includes('ci-deployer —can-assume→ prod-deploy'), `hops: ${hops}`);
    const onPath = await page.evaluate(() => document.querySelectorAll('#cy svg g.path').length);
    assert(onPath === 5, `elements on the highlighted path: ${onPath}`);
    // A hop opens to its decision: the statements behind it.
    await page.locator('#node-path > li summary').nth(1).click();
    const hop = await page.textContent('#node-path > li:nth-child(2)');
    assert(hop.includes('sts-001') && hop.includes('prod-deploy trust policy'), `hop: ${hop}`);
    // The list below the graph selects the same path.
    await page.locator('#cy svg g.node[data-id="arn:aws:iam::222222222222:oidc-provider/token.actions.githubusercontent.com"]').scrollIntoViewIfNeeded();
    await shot(page, 'role-path');
    await page.locator('#reach a.reach-node[data-id="arn:aws:iam::222222222222:role/ci-deployer"]').click();
    await page.waitForSelector('#node-title:has-text("ci-deployer")');
  });

  await check('a finding opens to its evidence, why it matters and how to fix it', async () => {
    await page.goto(`${demo.url}/findings?rule=principal-can-escalate-to-admin`);
    await page.waitForSelector('tbody tr.finding');
    await page.locator('tbody tr.finding button.expand').first().click();
    const detail = page.locator('tbody tr.finding-more:not([hidden]) .finding-detail').first();
    const text = await detail.textContent();
    for (const w of ['Evidence:', 'Path:', '-runs-as->', 'Why it matters:', 'How to fix it:']) assert(text.includes(w), `no \`${w}\` in ${text}`);
    assert(await detail.locator('a.finding-role').count() === 1, 'no link to the role');
    await shot(page, 'finding');
    // Markdown code spans are shown as code, not as backticks.
    const msg = await page.locator('tbody tr.finding').first().locator('td').last().innerHTML();
    assert(msg.includes('<code>') && !msg.includes('`'), `message: ${msg}`);
    const outside = (await (await fetch(`${demo.url}/api/findings?limit=1&outside=true`)).json()).total;
    await page.goto(`${demo.url}/findings`);
    await page.selectOption('select[name=outside]', 'true');
    await page.waitForSelector(`#page-info:has-text("of ${outside} findings")`);
    const flags = await page.locator('tbody tr.finding .flag').count();
    assert(flags === Math.min(outside, 100), `outside flags: ${flags} of ${outside}`);
  });

  await check('overview: severity cards in order', async () => {
    await page.goto(`${demo.url}/`);
    await page.waitForSelector('h2:has-text("Riskiest roles")');
    const cards = await page.$$eval('.cards .card .muted', (c) => c.map((x) => x.textContent).filter((t) => t.endsWith(' findings')));
    const order = ['critical', 'high', 'medium', 'low', 'info'];
    const seen = cards.map((c) => order.indexOf(c.split(' ')[0]));
    assert(seen.every((x, i) => x >= 0 && (i === 0 || x > seen[i - 1])), `cards: ${cards}`);
  });

  await check('findings filter by severity, rule and account', async () => {
    // The expected counts come from the API, so that adding a rule does not break the page test.
    const count = async (query) => (await (await fetch(`${demo.url}/api/findings?limit=1${query}`)).json()).total;
    const all = await count('');
    const high = await count('&severity=high');
    const acct = await count('&account=333333333333');
    assert(all > 0 && high > 0 && acct > 0, `counts from the API: ${all} ${high} ${acct}`);
    await page.goto(`${demo.url}/findings`);
    await page.waitForSelector(`#page-info:has-text("of ${all} findings")`);
    await page.selectOption('select[name=severity]', 'high');
    await page.waitForSelector(`#page-info:has-text("of ${high} findings")`);
    const sevs = await page.locator('tbody .sev').allTextContents();
    assert(sevs.length === Math.min(high, sevs.length) && sevs.length > 0 && sevs.every((s) => s === 'high'), `severities: ${sevs}`);
    await page.selectOption('select[name=severity]', '');
    await page.selectOption('select[name=account]', '333333333333');
    await page.waitForSelector(`#page-info:has-text("of ${acct} findings")`);
  });

  await check('unknown role shows an error, no console errors or CSP violations so far', async () => {
    await page.goto(`${demo.url}/role?arn=nope`);
    await page.waitForSelector('.error:has-text("no role")');
    assert(problems.filter((p) => !p.includes('404')).length === 0, `console: ${problems.join(' | ')}`);
  });

  const hostileDir = hostileCopy();
  await check('a hostile role name shows as text', async () => {
    const hostile = await serve(hostileDir);
    servers.push(hostile.child);
    problems.length = 0;
    await page.goto(`${hostile.url}/roles?q=${encodeURIComponent('<img')}`);
    await page.waitForSelector('#page-info:has-text("of 1 roles")');
    const link = await page.textContent('a.role-link');
    assert(link === HOSTILE, `link text: ${link}`);
    assert(await page.locator('main img, main script').count() === 0, 'markup from the data became elements');
    await page.click('a.role-link');
    await page.waitForSelector('#role-name');
    assert(await page.textContent('#role-name') === HOSTILE, 'role heading is not the name as text');
    assert(await page.locator('main img, main script').count() === 0, 'markup from the data became elements on the role page');
    // The graph draws the name as an SVG text node, not as markup.
    await waitFor(page, () => document.querySelectorAll('#cy svg g.node').length >= 2, 'the graph');
    const drawn = await page.$$eval('#cy svg g.node.shape-center text', (ts) => ts.map((t) => t.textContent));
    assert(drawn.length === 1 && HOSTILE.startsWith(drawn[0].replace(/…$/, '')), `graph label: ${drawn}`);
    assert(await page.locator('#cy svg image, #cy svg script, #cy svg foreignObject').count() === 0, 'markup from the data became SVG elements');
    await page.waitForTimeout(300);
    assert(!problems.some((p) => p.startsWith('dialog')), `a script ran: ${problems.join(' | ')}`);
  });
  rmSync(hostileDir, { recursive: true, force: true });

  await check('without a database there is no Changes link and the page says why', async () => {
    await page.goto(`${demo.url}/diff`);
    await page.waitForSelector('.notice:has-text("No history database")');
    assert(await page.locator('#nav-diff').isHidden(), 'the Changes link shows without a database');
  });

  await check('the role page shows CloudTrail usage only when the server read a trail', async () => {
    const arn = 'arn:aws:iam::111111111111:role/service-role/orders-processor-lambda';
    await page.goto(`${demo.url}/role?arn=${encodeURIComponent(arn)}`);
    await page.waitForSelector('#role-name:has-text("orders-processor-lambda")');
    await page.waitForTimeout(300);
    assert(await page.locator('#usage').isHidden(), 'the usage section shows without a trail');
    const trail = join(root, 'demo/cloudtrail/acme-org-trail-2026-09-to-11.jsonl');
    const withTrail = await serve([join(root, 'demo'), '--trail', trail, '--until', '2026-11-20T08:00:00Z']);
    servers.push(withTrail.child);
    problems.length = 0;
    await page.goto(`${withTrail.url}/role?arn=${encodeURIComponent(arn)}`);
    await page.waitForSelector('#usage:visible #usage-actions tbody tr');
    const rows = await page.locator('#usage-actions tbody tr').allTextContents();
    const put = rows.find((r) => r.includes('dynamodb:PutItem'));
    assert(rows.length === 4 && put, `used actions: ${rows.join(' | ')}`);
    assert(put.includes('2026-09-04 06:01:00 UTC') && put.includes('table/orders'), `PutItem row: ${put}`);
    assert((await page.textContent('#usage-window')).includes('up to 2026-11-20 08:00:00 UTC'), 'window');
    assert((await page.textContent('#usage-assumers')).includes('lambda.amazonaws.com'), 'assumer');
    // jane.doe assumed okta-prod-admin, which the policies in the exports do not allow.
    await page.goto(`${withTrail.url}/role?arn=${encodeURIComponent('arn:aws:iam::111111111111:role/okta-prod-admin')}`);
    await page.waitForSelector('#usage-assumers tbody tr');
    const row = page.locator('#usage-assumers tbody tr').first();
    const text = await row.textContent();
    assert(text.includes('user/jane.doe') && text.includes('203.0.113.77') && await row.locator('.flag').count() === 1, `assumer: ${text}`);
    assert((await page.textContent('#usage-status')).startsWith('Not used in the window'), 'status');
    assert(!/\bnull\b|undefined/.test(await page.textContent('main')), 'a missing value shows as text');
    const real = problems.filter((p) => !p.startsWith('Failed to load resource') && p !== '404 /favicon.ico');
    assert(real.length === 0, `console: ${problems.join(' | ')}`);
    // Least privilege: the suggested policy with its proof on the role page, and the table of
    // every role's used against granted.
    await page.goto(`${withTrail.url}/role?arn=${encodeURIComponent(arn)}`);
    await page.waitForSelector('#suggest-policy');
    const policy = JSON.parse(await page.textContent('#suggest-policy'));
    assert(policy.Statement.length > 0, `policy: ${JSON.stringify(policy)}`);
    assert((await page.textContent('#suggest-proof')).startsWith('✓ Proved by the engine'), 'proof');
    await page.goto(`${withTrail.url}/least-privilege`);
    await page.waitForSelector('#page-info:has-text("of 32 roles")');
    const first = await page.locator('tbody tr').first().locator('td').nth(5).textContent();
    const second = await page.locator('tbody tr').nth(1).locator('td').nth(5).textContent();
    assert(Number(first) >= Number(second) && Number(first) > 0, `most unused first: ${first}, ${second}`);
    await shot(page, 'least-privilege');
  });

  await check('users and credentials page', async () => {
    await page.goto(`${demo.url}/users`);
    await page.waitForSelector('section.account-users table');
    const text = await page.textContent('main');
    for (const w of ['ci-legacy-deployer', 'old-access-key', 'root', 'production']) assert(text.includes(w), `no \`${w}\``);
    const row = page.locator('section.account-users tr', { hasText: 'ci-legacy-deployer' }).first();
    assert(await row.locator('a .sev').count() === 1, 'no link to the user\'s findings');
    await shot(page, 'users');
    await page.goto(`${demo.url}/least-privilege`);
    await page.waitForSelector('.notice:has-text("No CloudTrail")');
  });

  await check('resources: who outside can act on them, a resource page, and a role\'s resources', async () => {
    await page.goto(`${demo.url}/resources`);
    await page.waitForSelector('main table');
    const row = page.locator('tbody tr', { hasText: 'acme-dev-share' }).first();
    assert((await row.textContent()).includes('anyone (*)'), 'the public bucket is not shown open to anyone');
    const orders = page.locator('tbody tr', { hasText: 'acme-orders-data' }).first();
    assert((await orders.textContent()).includes('named but refused'), 'the partner refused by the RCP is not said');
    await shot(page, 'resources');
    await page.goto(`${demo.url}/resource?arn=${encodeURIComponent('arn:aws:s3:::acme-orders-data')}`);
    await page.waitForSelector('#resource-name');
    const text = await page.textContent('main');
    for (const w of ['Named by its policy, but refused', '210987654321', 'DataPerimeter', 'legacy-batch-ec2']) assert(text.includes(w), `no \`${w}\` on the resource page`);
    await page.goto(`${demo.url}/role?arn=${encodeURIComponent('arn:aws:iam::111111111111:role/legacy-batch-ec2')}`);
    await page.waitForSelector('#role-resources table');
    const res = await page.textContent('#role-resources');
    assert(res.includes('prod/payments/db') && res.includes('acme-dev-share'), `the role's resources: ${res.slice(0, 200)}`);
    const f = page.locator('#role-resources a', { hasText: 'prod/payments/db' }).first();
    await f.click();
    await page.waitForSelector('#resource-name');
    assert((await page.textContent('#resource-name')) === 'prod/payments/db', 'the link does not open the secret');
  });

  // Two snapshots in a history database, served without a folder (the newest is shown).
  const historyDir = mkdtempSync(join(tmpdir(), 'rolegraph-history-'));
  const changedDir = changedCopy();
  const db = join(historyDir, 'history.db');
  execFileSync(BIN, ['snapshot', 'add', join(root, 'demo'), '--db', db, '--label', 'before'], { stdio: 'ignore' });
  execFileSync(BIN, ['snapshot', 'add', changedDir, '--db', db, '--label', 'after'], { stdio: 'ignore' });
  const stored = await serve(['--db', db]);
  servers.push(stored.child);
  problems.length = 0;
  const apiDiff = await (await fetch(`${stored.url}/api/diff`)).json();

  await check('the Changes page compares the two newest snapshots', async () => {
    await page.goto(`${stored.url}/`);
    await page.waitForSelector('#nav-diff:visible');
    await page.click('#nav-diff');
    await page.waitForSelector('#diff-sides');
    const sides = await page.textContent('#diff-sides');
    assert(sides.includes('before') && sides.includes('after') && sides.includes(`${apiDiff.changes.length} change(s)`), `sides: ${sides}`);
    const trust = page.locator('#diff-trust tbody tr');
    assert(await trust.count() === apiDiff.counts['trust-added'], `trust rows: ${await trust.count()}`);
    const first = await trust.first().textContent();
    assert(first.includes('build-agent-ec2') && first.includes(EXTERNAL) && first.includes('external'), `first new trusted entity: ${first}`);
    assert(await trust.first().locator('.flag').count() === 1, 'the outside account is not flagged');
    await shot(page, 'changes');
    const priv = await page.textContent('#diff-privilege');
    assert(priv.includes('tmp-migration-2019') && priv.includes('→ admin'), `privilege: ${priv}`);
    const roles = await page.textContent('#diff-roles');
    assert(roles.includes('snyk-scanner') && roles.includes('removed'), `roles: ${roles}`);
    const reach = await page.textContent('#diff-reach');
    assert(reach.includes('external-account:999988887777') && reach.includes('build-agent-ec2'), `reach: ${reach}`);
    const res = await page.textContent('#diff-resources');
    assert(res.includes('dev-api-handler') && res.includes('build-agent-ec2'), `resources: ${res}`);
    const opened = apiDiff.counts['finding-opened'] || 0;
    const closed = apiDiff.counts['finding-closed'] || 0;
    assert(opened > 0, 'no finding opened in the API diff');
    await page.waitForSelector(`#diff-findings h2:has-text("(${opened + closed})")`);
  });

  await check('picking the snapshots the other way round shows the role added', async () => {
    await page.selectOption('select[name=old]', '2');
    await page.selectOption('select[name=new]', '1');
    await page.waitForSelector('#diff-roles td:has-text("added")');
    assert(page.url().includes('old=2') && page.url().includes('new=1'), `url: ${page.url()}`);
    assert((await page.textContent('#diff-roles')).includes('snyk-scanner'), 'the returning role is not listed');
  });

  await check('the role page shows the role across the snapshots', async () => {
    await page.goto(`${stored.url}/role?arn=${encodeURIComponent('arn:aws:iam::222222222222:role/build-agent-ec2')}`);
    await page.waitForSelector('#history:visible tbody tr');
    const rows = page.locator('#history tbody tr');
    assert(await rows.count() === 2, `history rows: ${await rows.count()}`);
    assert((await page.textContent('#history-first')).includes('before'), 'first seen');
    const last = await rows.nth(1).textContent();
    assert(last.includes(`trusts ${EXTERNAL} (external)`) && last.includes('dev-api-handler'), `second snapshot: ${last}`);
    assert(last.includes('finding opened'), `no finding opened on the role: ${last}`);
    assert(await rows.nth(1).locator('.flag').count() >= 1, 'the outside trust is not flagged');
    const real = problems.filter((p) => !p.startsWith('Failed to load resource') && p !== '404 /favicon.ico');
    assert(real.length === 0, `console: ${problems.join(' | ')}`);
  });
  rmSync(changedDir, { recursive: true, force: true });
  rmSync(historyDir, { recursive: true, force: true });
} catch (e) {
  failed += 1;
  console.log(`FAIL setup: ${e.message}`);
} finally {
  if (browser) await browser.close();
  for (const c of servers) c.kill('SIGTERM');
  rmSync(profile, { recursive: true, force: true });
}
console.log(`screenshot: ${SCREENSHOT}`);
console.log(`${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
