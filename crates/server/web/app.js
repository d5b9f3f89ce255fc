// rolegraph UI: the pages, built with DOM calls only. Every value from the data is inserted as
// text (textContent / text nodes), never as HTML, so a role named `<script>` shows as text.
'use strict';

const TOKEN = new URLSearchParams(location.search).get('token');

// Builds an element: el('a', {href: '/x', class: 'y'}, 'text', child, ...).
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    e.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

// A page URL that keeps the token.
function href(path, params) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) if (v !== undefined && v !== null && v !== '') p.set(k, v);
  if (TOKEN) p.set('token', TOKEN);
  const q = p.toString();
  return q ? `${path}?${q}` : path;
}

async function api(path, params) {
  const headers = TOKEN ? { Authorization: `Bearer ${TOKEN}` } : {};
  const resp = await fetch(href(path, params), { headers });
  const body = await resp.json().catch(() => ({ error: `HTTP ${resp.status}` }));
  if (!resp.ok) throw new Error(body.error || `HTTP ${resp.status}`);
  return body;
}

const roleHref = (arn) => href('/role', { arn });
const resourceHref = (arn) => href('/resource', { arn });
const sev = (s) => el('span', { class: `sev sev-${s}` }, s);
const main = () => document.getElementById('main');

// Replaces the children of `box` (DOM's replaceChildren would show a null as the text `null`).
function fill(box, ...nodes) {
  box.replaceChildren(...nodes.flat().filter((n) => n !== undefined && n !== null && n !== false));
}

function show(...nodes) {
  fill(main(), ...nodes);
}

function fail(err) {
  show(el('div', { class: 'error' }, `Error: ${err.message}`));
}

function table(headers, rows) {
  return el('table', {}, el('thead', {}, el('tr', {}, headers.map((h) => (h instanceof Node ? h : el('th', {}, h))))),
    el('tbody', {}, rows));
}

function lastUsed(lu) {
  if (!lu) return '';
  if (lu.status === 'used') return lu.date ? lu.date.slice(0, 10) : 'unknown';
  return lu.status;
}

function roleRow(r) {
  return el('tr', {},
    el('td', {}, el('a', { href: roleHref(r.arn), class: 'role-link' }, r.name)),
    el('td', {}, r.account_name || r.account_id),
    el('td', {}, r.kinds.map((k) => el('span', { class: 'tag' }, k))),
    el('td', { class: 'wrap' }, r.trusted.join(', ')),
    el('td', {}, r.resources),
    el('td', {}, r.privilege + (r.privilege_conditional ? ' (conditional)' : '')),
    el('td', {}, lastUsed(r.last_used)),
    el('td', {}, r.worst_severity ? sev(r.worst_severity) : '', r.findings ? ` ${r.findings}` : ''));
}

// Text with Markdown's `code` spans: the spans become <code>, the rest stays text (never markup).
function md(text) {
  return String(text || '').split('`').map((part, i) => (i % 2 ? el('code', {}, part) : part)).filter((x) => x !== '');
}

// A section of a rule's Markdown documentation (`## Why it matters`), as paragraphs and list items.
function docSection(doc, title) {
  const start = (doc || '').indexOf(`## ${title}\n`);
  if (start < 0) return null;
  const rest = doc.slice(start + title.length + 4);
  const end = rest.indexOf('\n## ');
  const body = (end < 0 ? rest : rest.slice(0, end)).trim();
  const blocks = body.split(/\n\s*\n/).map((b) => b.replace(/\n/g, ' ').trim()).filter(Boolean);
  return blocks.map((b) => (b.startsWith('- ')
    ? el('ul', { class: 'plain' }, b.split(/ (?=- )/).map((li) => el('li', {}, md(li.replace(/^- /, '')))))
    : el('p', {}, md(b))));
}

function evidenceItem(e) {
  switch (e.type) {
    case 'path': return el('li', {}, 'Path: ', el('ol', { class: 'hops' }, e.edges.map((x) => el('li', { class: 'mono' }, x))));
    case 'statement': return el('li', { class: 'mono' }, `${e.policy} · statement ${e.statement}${e.sid ? ` (${e.sid})` : ''} · ${e.pointer}`);
    case 'field': return el('li', { class: 'mono' }, `${e.source} · ${e.field} = ${e.value}`);
    case 'note': return el('li', {}, md(e.text));
    default: return el('li', { class: 'mono' }, JSON.stringify(e));
  }
}

// The evidence of a finding, why it matters and how to fix it (from the rule's documentation).
function findingDetail(f, rule) {
  const subject = f.subject.kind === 'role'
    ? el('a', { href: roleHref(f.subject.arn), class: 'finding-role' }, `${f.subject.name} →`)
    : f.subject.kind === 'resource'
      ? el('a', { href: resourceHref(f.subject.arn), class: 'finding-resource' }, `${f.subject.name} →`)
      : el('span', { class: 'mono' }, f.subject.arn);
  return el('div', { class: 'finding-detail' },
    el('p', {}, el('b', {}, 'Subject: '), subject, ' ', el('span', { class: 'muted mono' }, f.subject.arn)),
    f.reachable_from_outside ? el('p', {}, el('span', { class: 'flag' }, 'outside'), 'A principal outside the organization can reach the subject.') : null,
    el('p', {}, el('b', {}, 'Evidence:')),
    el('ul', { class: 'plain evidence' }, f.evidence.map(evidenceItem)),
    rule ? el('div', {}, el('p', {}, el('b', {}, 'Why it matters:')), docSection(rule.doc, 'Why it matters')) : null,
    el('p', {}, el('b', {}, 'How to fix it:')), el('div', {}, (f.remediation || '').split(/\n\s*\n/).map((b) => el('p', {}, md(b.replace(/\n/g, ' '))))),
    rule ? el('details', {}, el('summary', {}, `The rule ${rule.id}: what it finds, severity, false positives`),
      ['What it finds', 'Severity', 'False positives'].map((t) => { const sec = docSection(rule.doc, t); return sec ? [el('h4', {}, t), sec] : null; })) : null);
}

function findingRow(f, withSubject = true, rules = null) {
  const subject = f.subject.kind === 'role'
    ? el('a', { href: roleHref(f.subject.arn) }, f.subject.name)
    : f.subject.kind === 'resource'
      ? el('a', { href: resourceHref(f.subject.arn), title: f.subject.arn }, f.subject.name)
      : el('span', { title: f.subject.arn }, f.subject.name);
  const cells = [
    el('td', {}, sev(f.severity)),
    el('td', { class: 'rule' }, el('code', {}, f.rule)),
    withSubject ? el('td', {}, subject, f.reachable_from_outside ? el('span', { class: 'flag', title: 'reachable from outside the organization' }, 'outside') : null) : null,
    withSubject ? el('td', {}, f.subject.account) : null,
    el('td', {}, md(f.message), f.suppressed ? el('div', { class: 'muted' }, `suppressed: ${f.suppressed}`) : null)];
  if (!rules) return el('tr', {}, cells);
  // On the findings page a row opens to its evidence.
  const toggle = el('button', { type: 'button', class: 'expand', 'aria-expanded': 'false', title: 'Evidence, why it matters, how to fix it' }, '▸');
  const row = el('tr', { class: 'finding' }, el('td', {}, toggle), cells);
  const detail = el('tr', { class: 'finding-more', hidden: true }, el('td', { colspan: withSubject ? 6 : 4 }, findingDetail(f, rules.get(f.rule))));
  toggle.addEventListener('click', () => {
    detail.hidden = !detail.hidden;
    toggle.textContent = detail.hidden ? '▸' : '▾';
    toggle.setAttribute('aria-expanded', String(!detail.hidden));
  });
  return [row, detail];
}

// ---- overview ----
async function overview() {
  const o = await api('/api/overview');
  const card = (n, label) => el('div', { class: 'card' }, el('div', { class: 'n' }, n), el('div', { class: 'muted' }, label));
  show(
    el('h1', {}, 'Overview'),
    el('div', { class: 'cards' },
      card(o.accounts.length, 'accounts'), card(o.roles, 'roles'), card(o.findings, 'findings'), card(o.gaps, 'gaps'),
      SEVERITIES.filter((s) => s in o.findings_by_severity).map((s) => card(o.findings_by_severity[s], `${s} findings`))),
    el('h2', {}, 'Accounts'),
    table(['Account', 'Id', 'Roles', 'Findings'], o.accounts.map((a) => el('tr', {},
      el('td', {}, el('a', { href: href('/roles', { account: a.id }) }, a.name)), el('td', { class: 'mono' }, a.id),
      el('td', {}, a.roles), el('td', {}, el('a', { href: href('/findings', { account: a.id }) }, a.findings))))),
    el('h2', {}, 'Roles by kind'),
    el('div', { class: 'cards' }, Object.entries(o.roles_by_kind).map(([k, n]) =>
      el('a', { href: href('/roles', { kind: k }), class: 'card' }, el('div', { class: 'n' }, n), el('div', { class: 'muted' }, k)))),
    el('h2', {}, 'Roles by privilege'),
    el('div', { class: 'cards' }, Object.entries(o.roles_by_privilege).map(([k, n]) =>
      el('a', { href: href('/roles', { privilege: k }), class: 'card' }, el('div', { class: 'n' }, n), el('div', { class: 'muted' }, k)))),
    el('h2', {}, 'Riskiest roles'),
    table(ROLE_COLUMNS.map((c) => c[1]), o.riskiest_roles.map(roleRow)),
    el('h2', {}, 'Top findings'),
    table(['Severity', 'Rule', 'Subject', 'Account', 'Message'], o.top_findings.map((f) => findingRow(f))),
    el('p', {}, el('a', { href: href('/findings') }, 'All findings →')));
}

// ---- roles table ----
const ROLE_COLUMNS = [['name', 'Role'], ['account', 'Account'], ['kind', 'Kind'], ['trusted', 'Trusted by'],
  ['resources', 'Resources'], ['privilege', 'Privilege'], ['last_used', 'Last used'], ['findings', 'Findings']];
const KINDS = ['ec2', 'lambda', 'ecs', 'service', 'cross-account', 'same-account', 'saml', 'oidc', 'service-linked', 'sso'];
const PRIVILEGES = ['none', 'list', 'read', 'write', 'permissions-management', 'privilege-escalation', 'admin'];
const TRUST_CATEGORIES = ['service', 'same-account', 'org', 'vendor', 'external', 'saml', 'oidc', 'everyone'];
const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'];

function select(name, label, options, value) {
  return el('label', {}, label, el('select', { name },
    el('option', { value: '' }, 'any'),
    options.map((o) => {
      const [v, t] = Array.isArray(o) ? o : [o, o];
      return el('option', { value: v, selected: v === value }, t);
    })));
}

async function accountOptions() {
  const a = await api('/api/accounts');
  return a.accounts.map((x) => [x.id, `${x.display_name} (${x.id})`]);
}

async function roles() {
  const params = Object.fromEntries(new URLSearchParams(location.search));
  delete params.token;
  const accounts = await accountOptions();
  const form = el('form', { class: 'filters', id: 'role-filters' },
    el('label', {}, 'Search', el('input', { name: 'q', type: 'search', value: params.q || '', placeholder: 'name, ARN, trusted entity' })),
    select('kind', 'Kind', KINDS, params.kind), select('account', 'Account', accounts, params.account),
    select('trusted_by', 'Trusted by', TRUST_CATEGORIES, params.trusted_by), select('privilege', 'Privilege', PRIVILEGES, params.privilege),
    select('used', 'Used', [['used', 'used'], ['never', 'never used'], ['unknown', 'unknown']], params.used));
  const body = el('div', {});
  show(el('h1', {}, 'Roles'), form, body);
  const state = { ...params, offset: Number(params.offset || 0), limit: Number(params.limit || 50) };
  const load = async () => {
    const data = await api('/api/roles', state);
    history.replaceState(null, '', href('/roles', { ...state, offset: state.offset || '', limit: state.limit === 50 ? '' : state.limit }));
    const heads = ROLE_COLUMNS.map(([key, label]) => el('th', {
      class: `sortable${state.sort === key ? ` sorted-${state.order || 'asc'}` : ''}`, 'data-sort': key,
      onclick: () => { state.order = state.sort === key && state.order !== 'desc' ? 'desc' : 'asc'; state.sort = key; state.offset = 0; load().catch(fail); },
    }, label));
    const first = data.total ? data.offset + 1 : 0;
    const last = data.offset + data.roles.length;
    body.replaceChildren(
      pager(data, state, load, `${first}–${last} of ${data.total} roles`),
      table(heads, data.roles.map(roleRow)));
  };
  let timer;
  form.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      for (const [k, v] of new FormData(form)) state[k] = v;
      state.offset = 0;
      load().catch(fail);
    }, 200);
  });
  form.addEventListener('submit', (e) => e.preventDefault());
  await load();
}

function pager(data, state, load, text) {
  const go = (offset) => () => { state.offset = offset; load().catch(fail); };
  return el('div', { class: 'pager' },
    el('button', { disabled: data.offset === 0, onclick: go(Math.max(0, data.offset - data.limit)) }, '← Previous'),
    el('span', { id: 'page-info' }, text),
    el('button', { disabled: data.offset + data.limit >= data.total, onclick: go(data.offset + data.limit) }, 'Next →'));
}

// ---- findings ----
async function findings() {
  const params = Object.fromEntries(new URLSearchParams(location.search));
  delete params.token;
  const [rules, accounts] = await Promise.all([api('/api/rules'), accountOptions()]);
  const form = el('form', { class: 'filters' },
    el('label', {}, 'Search', el('input', { name: 'q', type: 'search', value: params.q || '' })),
    select('rule', 'Rule', rules.rules.map((r) => [r.id, `${r.id} (${r.findings})`]), params.rule),
    select('severity', 'Severity', SEVERITIES, params.severity), select('account', 'Account', accounts, params.account),
    select('outside', 'Reachable from outside', [['true', 'yes'], ['false', 'no']], params.outside));
  const ruleDocs = new Map(rules.rules.map((r) => [r.id, r]));
  const body = el('div', {});
  show(el('h1', {}, 'Findings'), form, body);
  const state = { ...params, offset: Number(params.offset || 0), limit: 100 };
  const load = async () => {
    const data = await api('/api/findings', state);
    history.replaceState(null, '', href('/findings', { ...state, offset: state.offset || '', limit: '' }));
    const first = data.total ? data.offset + 1 : 0;
    body.replaceChildren(pager(data, state, load, `${first}–${data.offset + data.findings.length} of ${data.total} findings`),
      table(['', 'Severity', 'Rule', 'Subject', 'Account', 'Message'], data.findings.flatMap((f) => findingRow(f, true, ruleDocs))));
  };
  form.addEventListener('change', () => { for (const [k, v] of new FormData(form)) state[k] = v; state.offset = 0; load().catch(fail); });
  form.addEventListener('submit', (e) => { e.preventDefault(); form.dispatchEvent(new Event('change')); });
  await load();
}

// ---- one role ----
function conditionList(conds) {
  if (!conds || !conds.length) return el('span', { class: 'muted' }, 'none');
  return el('ul', { class: 'plain' }, conds.map((c) => el('li', {}, el('code', {}, `${c.negated ? 'not ' : ''}${c.operator} ${c.key} = ${c.values.join(' | ')}`), c.scope ? el('span', { class: 'muted' }, ' (scope)') : null)));
}

function grantsText(grants) {
  return grants.map((g) => `on ${g.resource}${g.outcome === 'conditional' ? ` if ${g.condition || '(conditions)'}` : ''}${g.outcome === 'denied' ? ' (denied)' : ''}`).join('; ');
}

async function role() {
  const arn = new URLSearchParams(location.search).get('arn');
  if (!arn) { show(el('p', {}, 'No role given.')); return; }
  const r = await api(`/api/role/${encodeURIComponent(arn)}`);
  // While the server still analyses, the role's own record comes first (no findings, no graph).
  const warming = r.warming;
  const d = r.details;
  const dl = el('dl', { class: 'details' });
  const add = (k, v) => { if (v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && !v.length)) dl.append(el('dt', {}, k), el('dd', {}, v)); };
  add('ARN', el('code', {}, d.arn)); add('Account', `${d.account_name || ''} ${d.account_id}`); add('Path', d.path);
  add('Kinds', r.kinds.map((k) => el('span', { class: 'tag' }, k)));
  const p = r.privilege;
  add('Privilege', el('div', { id: 'privilege' },
    el('div', {}, `${p.level}${p.level_conditional ? ' (conditional)' : ''}${p.settled ? '' : ' (the role\'s own permissions; the graph\'s verdict comes with the analysis)'}`),
    el('div', { class: 'muted', id: 'privilege-why' }, p.why || ''),
    p.managed_by_aws ? el('div', { class: 'muted' }, 'service-linked: only its service can assume it, and only AWS can change its policies') : null,
    p.path && p.path.length ? el('ol', { id: 'privilege-path' }, p.path.map((s) => el('li', { class: 'mono' }, s))) : null,
    p.path_needs && p.path_needs.length ? el('ul', { class: 'plain muted' }, p.path_needs.map((s) => el('li', {}, `needs: ${s}`))) : null));
  add('Last used', lastUsed(d.last_used)); add('Created', d.created); add('Description', d.description);
  add('Max session', d.max_session_duration ? `${d.max_session_duration / 3600} h` : null);
  add('Permissions boundary', d.permissions_boundary);
  add('Attached policies', d.attached_policies.map((p) => el('div', { class: 'mono' }, p)));
  add('Inline policies', d.inline_policies.join(', '));
  add('Tags', d.tags.map((t) => el('span', { class: 'tag' }, `${t.key}=${t.value}`)));
  const trust = table(['Principal', 'Kind', 'Actions', 'Conditions', 'Statement'], r.trust.entities.map((e) => el('tr', {},
    el('td', { class: 'wrap' }, e.summary, el('div', { class: 'mono muted' }, e.principal)), el('td', {}, e.kind),
    el('td', {}, e.actions.join(', ')), el('td', {}, conditionList(e.conditions)),
    el('td', { class: 'mono' }, `${e.evidence.sid ? `${e.evidence.sid} ` : ''}${e.evidence.pointer}`))));
  const used = table(['Resource', 'How', 'Account', 'Region'], r.used_by.map((u) => el('tr', {},
    el('td', { class: 'wrap' }, u.name, el('div', { class: 'mono muted' }, u.resource)), el('td', {}, u.kind),
    el('td', {}, u.account_id), el('td', {}, u.region || ''))));
  const perms = () => r.permissions.services.map((s) => el('details', {},
    el('summary', {}, `${s.name} (${s.prefix}): ${s.granted} of ${s.total} actions`),
    table(['Level', 'Actions', 'Granted on'], s.levels.flatMap((l) => l.groups.map((g) => el('tr', {},
      el('td', {}, l.level), el('td', { class: 'mono wrap' }, g.all_of_level ? `all ${l.level} actions (${g.count})` : g.actions.join(', ')),
      el('td', { class: 'wrap' }, grantsText(g.grants))))))));
  const privileged = r.privilege.categories.map((c) => el('details', { open: true },
    el('summary', {}, `${c.kind}: ${c.count} actions${c.conditional ? ' (conditional)' : ''}`),
    el('ul', { class: 'plain' }, c.groups.map((g) => el('li', {}, el('code', {}, g.actions.slice(0, 12).join(', ') + (g.actions.length > 12 ? ` … (+${g.actions.length - 12})` : '')), ' ', grantsText(g.grants)))),
    el('div', { class: 'muted' }, c.statements.map((s) => `${s.policy} statement ${s.statement}${s.sid ? ` (${s.sid})` : ''}`).join('; '))));
  const graphBox = el('div', { class: 'graph-wrap' }, el('div', { id: 'cy' }), el('aside', { id: 'side' }, el('p', { class: 'muted' }, 'Click an edge to see its conditions and evidence; click a node to see its path to the role, hop by hop; click a role to expand it.')));
  // Long permission lists: a line that says what is granted in full, and the services in one
  // collapsed list.
  const services = r.permissions.services;
  const full = services.filter((x) => x.total && x.granted === x.total);
  const part = services.filter((x) => !(x.total && x.granted === x.total));
  const permsSummary = services.length > 12 ? el('p', { id: 'permissions-summary' },
    full.length ? `All actions of ${full.length} service${full.length > 1 ? 's' : ''}` : '',
    full.length && part.length ? '; ' : '',
    part.length ? `part of ${part.length}: ${part.slice(0, 8).map((x) => `${x.prefix} (${x.granted} of ${x.total})`).join(', ')}${part.length > 8 ? ', …' : ''}` : '',
    '.') : null;
  // A long list is built when it is opened (an administrator's has hundreds of services).
  let permsBox = perms;
  if (services.length > 12) {
    permsBox = el('details', { id: 'permissions-list' }, el('summary', {}, `Every service (${services.length})`));
    permsBox.addEventListener('toggle', () => { if (permsBox.open && permsBox.children.length === 1) permsBox.append(...perms()); });
  } else {
    permsBox = perms();
  }
  show(
    el('p', {}, el('a', { href: href('/roles') }, '← Roles')),
    el('h1', { id: 'role-name' }, d.name),
    dl,
    el('h2', {}, 'Authorization graph'),
    warming ? el('p', { id: 'warming', class: 'muted' }, warmingText(warming)) : [
      el('div', { class: 'legend muted' }, el('span', {}, '→ can-assume (dashed: under conditions)'), el('span', {}, '→ runs-as'),
        el('span', {}, '→ privesc (red)'), el('span', {}, 'who reaches the role: left, by hops; what it reaches: right')),
      graphBox,
      el('h2', {}, 'Who can reach it, and what it reaches'), el('div', { id: 'reach' }, el('p', { class: 'muted' }, 'Loading…'))],
    el('section', { id: 'history', hidden: true }, el('h2', {}, 'History'), el('div', { id: 'history-body' }, el('p', { class: 'muted' }, 'Loading…'))),
    el('section', { id: 'usage', hidden: true }, el('h2', {}, 'Usage (CloudTrail)'), el('div', { id: 'usage-body' }, el('p', { class: 'muted' }, 'Loading…'))),
    warming ? null : [
      el('h2', {}, `Findings (${r.findings.length})`),
      r.findings.length ? table(['Severity', 'Rule', 'Message'], r.findings.map((f) => findingRow(f, false))) : el('p', { class: 'muted' }, 'None.')],
    el('h2', {}, `Trusted entities (${r.trust.entities.length})`), trust,
    r.trust.restrictions.length ? el('div', {}, el('h2', {}, 'Trust restrictions (Deny)'), el('ul', { class: 'plain' }, r.trust.restrictions.map((x) => el('li', {}, x.summary)))) : null,
    el('h2', {}, `Resources using it (${r.used_by.length})`), r.used_by.length ? used : el('p', { class: 'muted' }, 'None known.'),
    warming ? null : [el('h2', {}, 'Resources it can act on'),
      el('div', { id: 'role-resources' }, el('p', { class: 'muted' }, 'Loading…'))],
    el('h2', {}, 'Privileged permissions'), privileged.length ? privileged : el('p', { class: 'muted' }, 'None.'),
    el('h2', {}, `Permissions by service (${r.permissions.granted_actions} actions)`), permsSummary, permsBox,
    r.gaps.length ? el('div', {}, el('h2', {}, 'Gaps'), el('ul', { class: 'plain' }, r.gaps.map((g) => el('li', {}, g)))) : null);
  if (warming) {
    await warmedUp((st) => { const p = document.getElementById('warming'); if (p) p.textContent = warmingText(st); });
    startPages();
    return role();
  }
  startPages();
  const resBox = document.getElementById('role-resources');
  roleResources(d.arn, resBox).catch((e) => resBox.replaceChildren(el('div', { class: 'error' }, `Error: ${e.message}`)));
  window.RoleGraph.mount(document.getElementById('cy'), document.getElementById('side'), d.arn,
    { api, roleHref, el, list: document.getElementById('reach') }).catch(fail);
  if (await TRAIL) {
    document.getElementById('usage').hidden = false;
    const box = document.getElementById('usage-body');
    roleUsage(d.arn, box).catch((e) => box.replaceChildren(el('div', { class: 'error' }, `Error: ${e.message}`)));
  }
  if (await HISTORY) {
    document.getElementById('history').hidden = false;
    const box = document.getElementById('history-body');
    roleHistory(d.arn, box).catch((e) => box.replaceChildren(el('div', { class: 'error' }, `Error: ${e.message}`)));
  }
}

// ---- usage: what the role did in CloudTrail (rolegraph serve --trail) ----
const when = (t) => (t ? t.replace('T', ' ').replace('Z', ' UTC') : '–');

function windowText(u) {
  if (u.window_from && u.window_to) return `from ${when(u.window_from)} to ${when(u.window_to)}`;
  if (u.window_to) return `up to ${when(u.window_to)}`;
  if (u.window_from) return `from ${when(u.window_from)}`;
  return 'all events';
}

// A long list of names as one line: the first `max`, then how many more.
function names(list, max = 40) {
  const shown = list.slice(0, max).join(', ');
  return el('code', { class: 'wrap' }, list.length > max ? `${shown} … (+${list.length - max})` : shown);
}

const GRAPH_VERDICT = {
  possible: 'possible',
  'denied-only': 'refused every time',
  'unknown-role': 'role not in the exports',
};

// The Usage section of the role page.
async function roleUsage(arn, box) {
  const u = await api(`/api/role/${encodeURIComponent(arn)}/usage`);
  const used = u.used.filter((a) => a.count > 0);
  const status = u.active
    ? `Used: ${u.events} call(s) allowed, ${u.denied} denied; first ${when(u.first_seen)}, last ${when(u.last_seen)}.`
    : `Not used in the window: no call passed authorization${u.denied ? ` (${u.denied} denied)` : ''}.`;
  const actions = table(['Action', 'Level', 'Calls', 'Denied', 'First seen', 'Last seen', 'Resources'], u.used.map((a) => {
    const more = Math.max(0, a.resources.length - 5) + a.more_resources;
    return el('tr', {},
      el('td', {}, el('code', {}, a.action)), el('td', {}, a.access_level), el('td', {}, a.count), el('td', {}, a.denied || ''),
      el('td', {}, when(a.first_seen)), el('td', {}, when(a.last_seen)),
      el('td', { class: 'wrap' },
        a.resources.slice(0, 5).map((x) => el('div', { class: 'mono' }, x.arn, el('span', { class: 'muted' }, ` ${x.count}×, last ${when(x.last_seen)}`))),
        more ? el('div', { class: 'muted' }, `and ${more} more resource(s)`) : null,
        a.calls_without_resource ? el('div', { class: 'muted' }, `${a.calls_without_resource} call(s) name no resource`) : null));
  }));
  const lastAccessed = u.last_accessed_known
    ? (u.unused_services.length
      ? table(['Service', 'Name', 'Last authenticated'], u.unused_services.map((s) => el('tr', {},
        el('td', {}, el('code', {}, s.namespace)), el('td', {}, s.name || ''), el('td', {}, s.last_authenticated ? when(s.last_authenticated) : 'never'))))
      : el('p', { class: 'muted' }, 'None: every service of the report was used in the window.'))
    : el('p', { class: 'muted' }, u.in_snapshot ? 'No last-accessed report for this role in the exports.' : 'The role is not in the exports.');
  const assumers = table(['Caller', 'Kind', 'Account', 'API', 'Calls', 'First seen', 'Last seen', 'Source IPs', 'Graph'], u.assumers.map((e) => {
    const flagged = e.graph === 'not-possible';
    return el('tr', { class: flagged ? 'outside' : null },
      el('td', { class: 'wrap' }, e.caller.includes(':role/') ? roleCell(e.caller) : el('span', { class: 'mono' }, e.caller),
        e.subjects && e.subjects.length ? el('div', { class: 'muted' }, `users: ${e.subjects.join(', ')}`) : null),
      el('td', {}, e.caller_kind), el('td', {}, e.caller_account || ''), el('td', {}, e.apis.join(', ')),
      el('td', {}, e.count, e.denied ? el('span', { class: 'muted' }, ` (${e.denied} denied)`) : null),
      el('td', {}, when(e.first_seen)), el('td', {}, when(e.last_seen)), el('td', { class: 'mono wrap' }, e.source_ips.join(', ')),
      el('td', {}, flagged
        ? el('span', { class: 'verdict' }, flag('not possible'), 'per the policies in the exports: data is missing or the analysis has a gap')
        : (GRAPH_VERDICT[e.graph] || e.graph || '')));
  }));
  fill(box,
    el('p', { class: 'muted', id: 'usage-window' }, `Window: ${windowText(u)}.`),
    el('p', { id: 'usage-status' }, status),
    el('h3', {}, `Used actions (${used.length})`),
    u.used.length ? el('div', { id: 'usage-actions' }, actions) : el('p', { class: 'muted', id: 'usage-actions' }, 'None in the window.'),
    u.used_not_granted.length ? el('p', {}, 'Used but not granted by the current identity policies: ', names(u.used_not_granted)) : null,
    el('h3', {}, `Granted but unused (${u.granted_unused.length} of ${u.granted_count} granted actions)`),
    u.granted_services_unused.length
      ? el('p', { id: 'usage-unused-services' }, `Services granted but not called (${u.granted_services_unused.length}): `,
        u.granted_services_unused.slice(0, 40).map((s) => el('span', { class: 'tag' }, s)),
        u.granted_services_unused.length > 40 ? ` … (+${u.granted_services_unused.length - 40})` : null)
      : null,
    u.granted_unused.length
      ? el('details', { id: 'usage-unused' }, el('summary', {}, `${u.granted_unused.length} action(s)`), names(u.granted_unused, 500))
      : el('p', { class: 'muted' }, 'None.'),
    el('h3', {}, 'Services unused per last-accessed data'), lastAccessed,
    el('h3', {}, `Assumed by (${u.assumers.length})`),
    u.assumers.length ? el('div', { id: 'usage-assumers' }, assumers) : el('p', { class: 'muted', id: 'usage-assumers' }, 'Nobody in the trail.'),
    u.gaps.length ? el('div', {}, el('h3', {}, 'Gaps'), el('ul', { class: 'plain' }, u.gaps.map((g) => el('li', {}, g)))) : null,
    el('h3', { id: 'least-privilege' }, 'Least privilege: the suggested policy'),
    u.in_snapshot ? suggestBox(arn) : el('p', { class: 'muted' }, 'The role is not in the exports.'));
}

// `rolegraph suggest-policy`: the policy from what the trail recorded, with the engine's proof
// (each observed call still allowed, nothing allowed beyond the current policies).
function suggestBox(arn) {
  const box = el('div', { id: 'suggest' }, el('p', { class: 'muted' }, 'Loading…'));
  api(`/api/role/${encodeURIComponent(arn)}/suggest-policy`).then((sg) => {
    const p = sg.proof;
    const checks = (list) => el('ul', { class: 'plain mono' }, list.slice(0, 50).map((c) => el('li', {}, `${c.action} on ${c.resource}`)));
    fill(box,
      el('p', { id: 'suggest-proof' }, p.holds ? '✓ Proved by the engine: ' : '✗ Not proved: ',
        `${p.suggested_within_current} of ${p.suggested_checked} suggested (action, resource) pairs are within the current policies; `,
        p.covers_every_observed_call ? 'every observed call is still allowed.' : `${p.observed_not_allowed_now.length} observed call(s) are not allowed by the current policies and are left out.`),
      el('p', {}, `${sg.actions} action(s).`),
      el('pre', { class: 'policy mono', id: 'suggest-policy' }, JSON.stringify(sg.policy, null, 2)),
      p.runtime_kept.length ? el('details', {}, el('summary', {}, `Kept for the runtime, which the trail cannot show (${p.runtime_kept.length})`), checks(p.runtime_kept)) : null,
      p.dropped_beyond_current.length ? el('details', {}, el('summary', {}, `Dropped: beyond the current policies (${p.dropped_beyond_current.length})`), checks(p.dropped_beyond_current)) : null,
      p.observed_not_allowed_now.length ? el('details', {}, el('summary', {}, `Observed but not allowed now (${p.observed_not_allowed_now.length})`), checks(p.observed_not_allowed_now)) : null,
      sg.notes.length ? el('ul', { class: 'plain muted' }, sg.notes.map((n) => el('li', {}, n))) : null,
      sg.gaps.length ? el('ul', { class: 'plain muted' }, sg.gaps.map((n) => el('li', {}, n))) : null);
  }).catch((e) => fill(box, el('div', { class: 'error' }, `Error: ${e.message}`)));
  return box;
}

// ---- resources with resource-based policies ----
// A level as words: `Read`, `Write (conditional)`.
const levelWord = (l) => (l.unconditional ? l.level : `${l.level} (conditional)`);
const levelTitle = (l) => [...(l.actions || []), ...(l.conditional_actions || []).map((a) => `${a} (conditional)`)].join(', ');

// The role page's section: what it can act on itself, or as a role it reaches.
async function roleResources(arn, box) {
  const r = await api(`/api/role/${encodeURIComponent(arn)}/resources`);
  if (!r.resources.length) { fill(box, el('p', { class: 'muted' }, 'None of the resources whose policies were read.')); return; }
  fill(box, el('p', { class: 'muted' }, 'Buckets, keys, functions, queues, topics, secrets, repositories and tables whose resource-based policies were read, decided with every policy that applies.'),
    table(['Resource', 'Kind', 'Account', 'Levels', 'How'], r.resources.map((x) => el('tr', {},
      el('td', { class: 'wrap' }, el('a', { href: resourceHref(x.resource.arn) }, x.resource.name)),
      el('td', {}, x.resource.kind_label), el('td', {}, x.resource.account),
      el('td', {}, x.levels.map((l) => el('span', { class: 'tag', title: levelTitle(l) + (l.condition ? ` when ${l.condition}` : '') }, levelWord(l)))),
      el('td', { class: 'wrap' }, x.via ? ['as ', el('a', { href: roleHref(x.via) }, x.via.split('/').pop())] : 'itself')))),
    r.roles_not_asked ? el('p', { class: 'muted' }, `${r.roles_not_asked} more roles it can reach were not asked about.`) : null);
}

const whoWords = (w) => {
  const base = { anyone: 'anyone (*)', account: `account ${w.id}`, service: `service ${w.id}`, federated: `users of ${w.id}` }[w.kind] || w.id;
  return `${base}${w.vendor ? ` (${w.vendor})` : ''}`;
};

async function resourcesPage() {
  const r = await api('/api/resources');
  show(el('h1', {}, 'Resources and their policies'),
    el('p', { class: 'muted' }, 'Resources whose resource-based policies were read: who their policies let act on them from outside the organization (decided with the RCPs, S3 Block Public Access and KMS rules), and the services they name.'),
    r.resources.length ? table(['Resource', 'Kind', 'Account', 'Outside the organization', 'Services', 'Findings'], r.resources.map((x) => el('tr', {},
      el('td', { class: 'wrap' }, el('a', { href: resourceHref(x.arn) }, x.name), x.has_policy ? null : el('div', { class: 'muted' }, 'no policy read')),
      el('td', {}, x.kind_label), el('td', {}, x.account),
      el('td', { class: 'wrap' }, x.outside.length ? x.outside.map((o) => el('div', {}, el('span', { class: 'flag' }, 'outside'), `${whoWords(o.who)}: ${o.levels}`)) : el('span', { class: 'muted' }, x.refused.length ? `none (${x.refused.length} named but refused)` : 'none')),
      el('td', { class: 'wrap' }, x.services.join(', ')),
      el('td', {}, x.worst_severity ? [sev(x.worst_severity), ` ${x.findings}`] : '0')))) : el('p', { class: 'muted' }, 'No resource-based policies in the exports (see docs/export-formats.md).'));
}

async function resourcePage() {
  const arn = new URLSearchParams(location.search).get('arn');
  if (!arn) { show(el('p', {}, 'No resource given.')); return; }
  const body = await api(`/api/resource/${encodeURIComponent(arn)}`);
  const r = body.resource;
  const dl = el('dl', { class: 'details' });
  const add = (k, v) => { if (v !== undefined && v !== null && v !== '') dl.append(el('dt', {}, k), el('dd', {}, v)); };
  add('ARN', el('code', {}, r.arn)); add('Kind', r.kind_label); add('Account', r.account); add('Region', r.region);
  add('Policy', r.has_policy ? el('span', { class: 'mono' }, r.source) : 'none read');
  if (r.block_public_access) {
    const b = r.block_public_access;
    add('Block Public Access', `RestrictPublicBuckets ${b.restrict_public_buckets}, BlockPublicPolicy ${b.block_public_policy} (bucket and account); the policy is ${r.public_policy ? '' : 'not '}public`);
  }
  const statement = (l) => (l.check.evidence || []).filter((e) => !String(e.policy).startsWith('assumed:')).map((e) => el('div', { class: 'mono muted' }, `${e.policy_kind} ${e.policy} ${e.pointer}${e.sid ? ` (${e.sid})` : ''}`));
  const rows = r.access.map((a) => el('tr', {},
    el('td', { class: 'wrap' }, a.who.kind === 'role' ? el('a', { href: roleHref(a.who.id) }, a.who.id.split('/').pop()) : whoWords(a.who),
      a.who.outside ? el('span', { class: 'flag' }, 'outside') : null, a.through === 'kms-grant' ? el('span', { class: 'tag' }, 'KMS grant') : null),
    el('td', {}, a.who.kind),
    el('td', { class: 'wrap' }, a.levels.map((l) => el('div', {}, el('span', { class: 'tag', title: levelTitle(l) }, levelWord(l)),
      l.objects && l.objects.length ? el('span', { class: 'mono muted' }, ` ${l.objects.join(', ')}`) : null,
      l.check.condition && !l.unconditional ? el('div', { class: 'muted' }, `when ${l.check.condition.text}`) : null))),
    el('td', { class: 'wrap' }, a.levels.length ? statement(a.levels[0]) : null, (a.assumptions || []).map((x) => el('div', { class: 'muted' }, `assumed: ${x}`)))));
  show(el('p', {}, el('a', { href: href('/resources') }, '← Resources')),
    el('h1', { id: 'resource-name' }, r.name), dl,
    el('h2', {}, `Findings (${body.findings.length})`),
    body.findings.length ? table(['Severity', 'Rule', 'Message'], body.findings.map((f) => findingRow(f, false))) : el('p', { class: 'muted' }, 'None.'),
    el('h2', {}, `Who can act on it (${r.access.length})`),
    rows.length ? table(['Who', 'Kind', 'Levels', 'Statement'], rows) : el('p', { class: 'muted' }, 'No one.'),
    r.refused && r.refused.length ? [el('h2', {}, 'Named by its policy, but refused'), el('ul', { class: 'plain' }, r.refused.map((x) => el('li', {}, `${whoWords(x.who)}: denied by ${x.why}`)))] : null,
    r.notes && r.notes.length ? [el('h2', {}, 'Notes'), el('ul', { class: 'plain' }, r.notes.map((n) => el('li', {}, n)))] : null,
    r.gaps && r.gaps.length ? [el('h2', {}, 'Gaps'), el('ul', { class: 'plain' }, r.gaps.map((n) => el('li', {}, n)))] : null);
}

// ---- users and credentials ----
async function usersPage() {
  const r = await api('/api/users');
  const keyText = (k) => `key ${k.slot}: ${k.active ? 'active' : 'inactive'}${k.age_days !== undefined && k.age_days !== null ? `, ${k.age_days} days old` : ''}${k.last_used ? `, last used ${when(k.last_used)}${k.last_used_service ? ` (${k.last_used_service})` : ''}` : ', never used'}`;
  show(el('h1', {}, 'Users and credentials'),
    el('p', { class: 'muted' }, 'Long-lived credentials: console passwords, MFA, access keys (from the credential report), and each user\'s findings. Roles with short-lived credentials are what workloads should use.'),
    r.accounts.map((a) => el('section', { class: 'account-users' },
      el('h2', {}, `${a.account_name || a.account_id} (${a.account_id})`),
      a.has_report ? el('p', { class: 'muted' }, `Credential report of ${when(a.as_of)}.`) : el('p', { class: 'notice' }, 'No credential report in the exports: passwords, MFA and keys are unknown (`aws iam generate-credential-report`, then `get-credential-report`).'),
      table(['User', 'Console', 'MFA', 'Access keys', 'Last used', 'Flags', 'Findings'], a.users.map((u) => el('tr', { class: u.flags.length ? 'outside' : null },
        el('td', {}, u.root ? el('b', {}, 'root') : u.name, el('div', { class: 'muted mono' }, u.arn)),
        el('td', {}, u.root ? '' : (u.password_enabled === true ? 'password' : u.password_enabled === false ? 'no' : 'unknown')),
        el('td', {}, u.mfa_active ? 'yes' : 'no'),
        el('td', { class: 'wrap' }, u.access_keys.length ? u.access_keys.map((k) => el('div', {}, keyText(k))) : el('span', { class: 'muted' }, 'none')),
        el('td', {}, u.last_used ? when(u.last_used) : 'never'),
        el('td', {}, u.flags.map((f) => el('span', { class: 'tag' }, f))),
        el('td', {}, u.findings ? el('a', { href: href('/findings', { q: u.arn }) }, u.worst_severity ? sev(u.worst_severity) : '', ` ${u.findings}`) : '')))))));
}

// ---- least privilege: used against granted for every role ----
async function leastPage() {
  if (!(await TRAIL)) {
    show(el('h1', {}, 'Least privilege'), el('p', { class: 'notice' }, 'No CloudTrail: start `rolegraph serve DIR --trail PATH` to compare what each role used with what it is granted, and to suggest a policy.'));
    return;
  }
  const params = Object.fromEntries(new URLSearchParams(location.search));
  const state = { offset: Number(params.offset || 0), limit: 50, account: params.account || '' };
  const accounts = await accountOptions();
  const form = el('form', { class: 'filters' }, select('account', 'Account', accounts, state.account));
  const body = el('div', {});
  show(el('h1', {}, 'Least privilege'),
    el('p', { class: 'muted' }, 'Each role\'s granted actions against those CloudTrail saw it use, most unused first. A role\'s page suggests a policy from its use, proved by the engine.'),
    form, body);
  const load = async () => {
    const d = await api('/api/least-privilege', state);
    const first = d.total ? d.offset + 1 : 0;
    fill(body, pager(d, state, load, `${first}–${d.offset + d.roles.length} of ${d.total} roles`),
      table(['Role', 'Account', 'Used in the window', 'Granted', 'Used', 'Granted but unused', 'Services unused'], d.roles.map((r) => el('tr', {},
        el('td', {}, el('a', { href: `${roleHref(r.arn)}#least-privilege`, class: 'role-link' }, r.name)),
        el('td', {}, r.account), el('td', {}, r.active ? `${r.events} call(s)` : 'no'),
        el('td', {}, r.granted), el('td', {}, r.used), el('td', {}, r.unused), el('td', {}, r.services_unused)))));
  };
  form.addEventListener('change', () => { for (const [k, v] of new FormData(form)) state[k] = v; state.offset = 0; load().catch(fail); });
  await load();
}


// ---- history: a role across the stored snapshots, and what changed between two ----
const OUTSIDE = { everyone: 0, external: 1, vendor: 2 };
const shortName = (arn) => (arn.startsWith('admin:') ? `administrators of ${arn.slice(6)}` : arn.split('/').pop());
const snapName = (s) => `#${s.id}${s.label ? ` ${s.label}` : ''}`;
const snapWhen = (s) => (s.imported_at || '').replace('T', ' ').replace('Z', ' UTC');
const flag = (text) => el('span', { class: 'flag' }, text);
// A graph node outside the organization: `*`, an external account or principal.
const outsider = (node) => node === '*' || node.startsWith('external-');

function roleCell(arn) {
  if (!arn.includes(':role/')) return el('span', { class: 'wrap' }, shortName(arn), el('div', { class: 'mono muted' }, arn));
  return el('span', {}, el('a', { href: roleHref(arn), class: 'role-link' }, shortName(arn)), el('div', { class: 'mono muted' }, arn));
}

function actionList(actions) {
  if (!actions.length) return el('span', { class: 'muted' }, 'level only');
  const shown = actions.slice(0, 8).join(', ');
  return el('code', {}, actions.length > 8 ? `${shown} … (+${actions.length - 8})` : shown);
}

// One change in words (without the role it is about), as `rolegraph diff` prints it.
function changeText(c) {
  switch (c.kind) {
    case 'role-added': return `role added (privilege ${c.privilege})`;
    case 'role-removed': return `role removed (was ${c.privilege})`;
    case 'trust-added': return `trusts ${c.entity.principal} (${c.entity.category || c.entity.kind}): ${c.entity.summary}`;
    case 'trust-removed': return `no longer trusts ${c.entity.principal}`;
    case 'trust-changed': return 'trust policy changed (same principals)';
    case 'privilege-gained': return `privilege gained: ${c.old_level} → ${c.new_level}${c.actions.length ? `: ${c.actions.slice(0, 5).join(', ')}${c.actions.length > 5 ? ` and ${c.actions.length - 5} more` : ''}` : ''}`;
    case 'privilege-lost': return `privilege lost: ${c.old_level} → ${c.new_level}`;
    case 'permissions-changed': return 'permissions changed (same privileged actions)';
    case 'reach-gained': return `${c.principal} can now reach it (${c.privilege}${c.conditional ? ', under conditions' : ''})`;
    case 'reach-lost': return `${c.principal} can no longer reach it`;
    case 'resource-added': return `${c.resource.kind} ${c.resource.name} runs as it`;
    case 'resource-removed': return `${c.resource.kind} ${c.resource.name} no longer runs as it`;
    case 'finding-opened': return `finding opened [${c.finding.severity}] ${c.finding.rule}: ${c.finding.message}`;
    case 'finding-closed': return `finding closed [${c.finding.severity}] ${c.finding.rule}: ${c.finding.message}`;
    default: return c.kind;
  }
}

// The History section of the role page: one row per stored snapshot from the first with the role.
async function roleHistory(arn, box) {
  const h = await api(`/api/role/${encodeURIComponent(arn)}/history`);
  if (!h.versions.length) { box.replaceChildren(el('p', { class: 'muted' }, 'Not in any stored snapshot.')); return; }
  const first = h.versions.find((v) => v.role);
  box.replaceChildren(
    el('p', { class: 'muted', id: 'history-first' }, first ? `First seen in snapshot ${snapName(first.snapshot)} (${snapWhen(first.snapshot)}).` : ''),
    table(['Snapshot', 'Privilege', 'Trusted by', 'Resources', 'Reached by', 'Findings', 'What changed'], h.versions.map((v) => {
      const r = v.role;
      const cond = r ? r.conditional_reach.length : 0;
      return el('tr', {},
        el('td', {}, snapName(v.snapshot), el('div', { class: 'muted' }, snapWhen(v.snapshot))),
        r ? el('td', {}, r.privilege) : el('td', { class: 'muted' }, 'absent'),
        el('td', { class: 'wrap' }, r ? r.trusted.map((t) => el('div', {}, t.principal, ' ', el('span', { class: 'muted' }, t.category || t.kind), OUTSIDE[t.category] !== undefined ? flag('outside') : null)) : ''),
        el('td', {}, r ? r.uses.length : ''),
        el('td', {}, r ? `${r.reached_by.length}${cond ? ` (${cond} under conditions)` : ''}` : ''),
        el('td', {}, (v.findings || []).map((f) => el('div', {}, sev(f.severity), ' ', el('code', {}, f.rule)))),
        el('td', { class: 'wrap' }, v.changes.length
          ? el('ul', { class: 'plain changes' }, v.changes.map((c) => el('li', { class: `change change-${c.kind}` }, c.kind === 'trust-added' && OUTSIDE[c.entity.category] !== undefined ? flag('!') : null, changeText(c))))
          : el('span', { class: 'muted' }, v === h.versions[0] ? 'first snapshot' : 'no change')));
    })));
}

// A section of the diff page: a heading with its count, and at most 200 rows.
function diffSection(id, title, changes, headers, row, empty) {
  const shown = changes.slice(0, 200);
  return el('section', { id },
    el('h2', {}, `${title} (${changes.length})`),
    changes.length ? table(headers, shown.map(row)) : el('p', { class: 'muted' }, empty || 'None.'),
    changes.length > shown.length ? el('p', { class: 'muted' }, `and ${changes.length - shown.length} more (the whole diff: /api/diff)`) : null);
}

async function diffPage() {
  const params = new URLSearchParams(location.search);
  const s = await api('/api/snapshots');
  show(el('h1', {}, 'What changed'));
  if (!s.history) {
    main().append(el('p', { class: 'notice' }, 'No history database: start the server with `rolegraph serve --db PATH` to compare stored snapshots.'));
    return;
  }
  if (s.snapshots.length < 2) {
    main().append(el('p', { class: 'notice' }, `The database holds ${s.snapshots.length} snapshot(s); a diff needs two (rolegraph snapshot add DIR).`));
    return;
  }
  const list = s.snapshots;
  const state = { old: params.get('old') || String(list[list.length - 2].id), new: params.get('new') || String(list[list.length - 1].id) };
  const options = list.map((x) => [String(x.id), `${snapName(x)} — ${snapWhen(x)} (${x.roles} roles)`]);
  const pick = (name, label) => el('label', {}, label, el('select', { name }, options.map(([v, t]) => el('option', { value: v, selected: v === state[name] }, t))));
  const form = el('form', { class: 'filters', id: 'diff-form' }, pick('old', 'Older'), pick('new', 'Newer'));
  const body = el('div', { id: 'diff-body' });
  main().append(form, body);
  const load = async () => {
    history.replaceState(null, '', href('/diff', state));
    const d = await api('/api/diff', state);
    const of = (...kinds) => d.changes.filter((c) => kinds.includes(c.kind));
    const trust = of('trust-added').sort((a, b) => (OUTSIDE[a.entity.category] ?? 9) - (OUTSIDE[b.entity.category] ?? 9));
    const reach = of('reach-gained').sort((a, b) => Number(!outsider(a.principal)) - Number(!outsider(b.principal)) || Number(a.conditional) - Number(b.conditional));
    const other = of('trust-removed', 'trust-changed', 'privilege-lost', 'permissions-changed', 'reach-lost', 'resource-removed');
    body.replaceChildren(
      el('p', { class: 'muted', id: 'diff-sides' }, `From ${snapName(d.old)} (${snapWhen(d.old)}) to ${snapName(d.new)} (${snapWhen(d.new)}): ${d.changes.length} change(s).`),
      el('div', { class: 'cards', id: 'diff-counts' }, Object.entries(d.counts).map(([k, n]) => el('div', { class: 'card' }, el('div', { class: 'n' }, n), el('div', { class: 'muted' }, k)))),
      diffSection('diff-roles', 'New and removed roles', of('role-added', 'role-removed'), ['Role', 'Change', 'Account', 'Privilege'], (c) => el('tr', {},
        el('td', {}, roleCell(c.role)), el('td', {}, c.kind === 'role-added' ? 'added' : 'removed'), el('td', {}, c.account), el('td', {}, c.privilege))),
      diffSection('diff-trust', 'New trusted entities', trust, ['Role', 'Trusts', 'Category', 'How'], (c) => el('tr', { class: OUTSIDE[c.entity.category] !== undefined ? 'outside' : null },
        el('td', {}, roleCell(c.role)), el('td', { class: 'wrap' }, OUTSIDE[c.entity.category] !== undefined ? flag('!') : null, c.entity.principal),
        el('td', {}, c.entity.category || c.entity.kind), el('td', { class: 'wrap' }, c.entity.summary))),
      diffSection('diff-privilege', 'Roles that gained privilege', of('privilege-gained'), ['Role', 'Level', 'New privileged actions'], (c) => el('tr', {},
        el('td', {}, roleCell(c.role)), el('td', {}, `${c.old_level} → ${c.new_level}`), el('td', { class: 'wrap' }, actionList(c.actions)))),
      diffSection('diff-reach', 'Principals that newly reach a privileged role', reach, ['Principal', 'Reaches', 'Privilege', 'Conditions'], (c) => el('tr', {},
        el('td', { class: 'wrap mono' }, outsider(c.principal) ? flag('!') : null, c.principal), el('td', {}, roleCell(c.role)), el('td', {}, c.privilege),
        el('td', {}, c.conditional ? el('span', { class: 'muted' }, 'only under conditions') : 'none'))),
      diffSection('diff-resources', 'New resources running as a role', of('resource-added'), ['Role', 'Resource', 'Kind'], (c) => el('tr', {},
        el('td', {}, roleCell(c.role)), el('td', { class: 'wrap' }, c.resource.name, el('div', { class: 'mono muted' }, c.resource.resource)), el('td', {}, c.resource.kind))),
      diffSection('diff-findings', 'Findings opened and closed', of('finding-opened', 'finding-closed'), ['', 'Severity', 'Rule', 'Subject', 'Message'], (c) => el('tr', {},
        el('td', {}, c.kind === 'finding-opened' ? 'opened' : 'closed'), el('td', {}, sev(c.finding.severity)), el('td', {}, el('code', {}, c.finding.rule)),
        el('td', {}, roleCell(c.finding.subject)), el('td', {}, c.finding.message))),
      el('details', { id: 'diff-other' }, el('summary', {}, `Other changes (${other.length}): trust removed or edited, privilege lost, permissions edited, reach lost, resources gone`),
        other.length ? table(['Role', 'Change'], other.slice(0, 500).map((c) => el('tr', {}, el('td', {}, roleCell(c.role)), el('td', { class: 'wrap' }, changeText(c))))) : el('p', { class: 'muted' }, 'None.')));
  };
  form.addEventListener('change', () => { for (const [k, v] of new FormData(form)) state[k] = v; load().catch(fail); });
  form.addEventListener('submit', (e) => e.preventDefault());
  await load();
}

const PAGES = { '/': overview, '/roles': roles, '/role': role, '/findings': findings, '/diff': diffPage, '/users': usersPage, '/least-privilege': leastPage, '/resources': resourcesPage, '/resource': resourcePage };
const active = { '/': 'nav-overview', '/roles': 'nav-roles', '/role': 'nav-roles', '/findings': 'nav-findings', '/diff': 'nav-diff', '/users': 'nav-users', '/least-privilege': 'nav-least', '/resources': 'nav-resources', '/resource': 'nav-resources' };
for (const id of ['nav-home', 'nav-overview', 'nav-roles', 'nav-findings', 'nav-resources', 'nav-users', 'nav-least', 'nav-diff']) {
  const a = document.getElementById(id);
  a.setAttribute('href', href(a.getAttribute('href')));
}
document.getElementById(active[location.pathname] || 'nav-overview').classList.add('active');
// While the server still analyses the snapshot (it listens at once), a page shows what it is
// doing, and loads when the analysis is done; a role page shows the role's own record at once
// and the rest when it is done. A server without `/api/status` is taken as ready.
const warmingText = (s) => `Analysing the snapshot: ${s.phase} (${Number(s.elapsed_s).toFixed(0)} s)…`;
async function warmedUp(update) {
  for (;;) {
    const s = await api('/api/status').catch(() => ({ ready: true }));
    if (s.ready) return;
    if (update) update(s); else show(el('p', { id: 'warming', class: 'muted' }, warmingText(s)));
    await new Promise((done) => setTimeout(done, 1000));
  }
}

let HISTORY;
let TRAIL;
// What the pages ask once the analysis is done.
function startPages() {
  if (HISTORY !== undefined) return;
  // The history links show only when the server has a database.
  HISTORY = api('/api/snapshots').then((s) => s.history).catch(() => false);
  HISTORY.then((on) => { if (on) document.getElementById('nav-diff').hidden = false; });
  // The usage section of a role shows only when the server read a trail.
  TRAIL = api('/api/trail').then((t) => t.trail).catch(() => false);
}

const PAGE = PAGES[location.pathname] || overview;
(PAGE === role
  ? api('/api/status').catch(() => ({ ready: true })).then((s) => { if (s.ready) startPages(); return role(); })
  : warmedUp().then(() => { startPages(); return PAGE(); })
).catch(fail);
