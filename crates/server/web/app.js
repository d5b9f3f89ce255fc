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
const sev = (s) => el('span', { class: `sev sev-${s}` }, s);
const main = () => document.getElementById('main');

function show(...nodes) {
  const m = main();
  m.replaceChildren(...nodes.flat());
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

function findingRow(f, withSubject = true) {
  const subject = f.subject.kind === 'role'
    ? el('a', { href: roleHref(f.subject.arn) }, f.subject.name)
    : el('span', { title: f.subject.arn }, f.subject.name);
  return el('tr', {},
    el('td', {}, sev(f.severity)),
    el('td', {}, el('code', {}, f.rule)),
    withSubject ? el('td', {}, subject) : null,
    withSubject ? el('td', {}, f.subject.account) : null,
    el('td', {}, f.message, f.suppressed ? el('div', { class: 'muted' }, `suppressed: ${f.suppressed}`) : null));
}

// ---- overview ----
async function overview() {
  const o = await api('/api/overview');
  const card = (n, label) => el('div', { class: 'card' }, el('div', { class: 'n' }, n), el('div', { class: 'muted' }, label));
  show(
    el('h1', {}, 'Overview'),
    el('div', { class: 'cards' },
      card(o.accounts.length, 'accounts'), card(o.roles, 'roles'), card(o.findings, 'findings'), card(o.gaps, 'gaps'),
      Object.entries(o.findings_by_severity).map(([s, n]) => card(n, `${s} findings`))),
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
    select('severity', 'Severity', SEVERITIES, params.severity), select('account', 'Account', accounts, params.account));
  const body = el('div', {});
  show(el('h1', {}, 'Findings'), form, body);
  const state = { ...params, offset: Number(params.offset || 0), limit: 100 };
  const load = async () => {
    const data = await api('/api/findings', state);
    history.replaceState(null, '', href('/findings', { ...state, offset: state.offset || '', limit: '' }));
    const first = data.total ? data.offset + 1 : 0;
    body.replaceChildren(pager(data, state, load, `${first}–${data.offset + data.findings.length} of ${data.total} findings`),
      table(['Severity', 'Rule', 'Subject', 'Account', 'Message'], data.findings.map((f) => findingRow(f))));
  };
  form.addEventListener('change', () => { for (const [k, v] of new FormData(form)) state[k] = v; state.offset = 0; load().catch(fail); });
  form.addEventListener('submit', (e) => { e.preventDefault(); form.dispatchEvent(new Event('change')); });
  await load();
}

// ---- one role ----
function conditionList(conds) {
  if (!conds || !conds.length) return el('span', { class: 'muted' }, 'none');
  return el('ul', { class: 'plain' }, conds.map((c) => el('li', {}, el('code', {}, `${c.operator} ${c.key} = ${c.values.join(' | ')}`))));
}

function grantsText(grants) {
  return grants.map((g) => `on ${g.resource}${g.outcome === 'conditional' ? ` if ${g.condition || '(conditions)'}` : ''}${g.outcome === 'denied' ? ' (denied)' : ''}`).join('; ');
}

async function role() {
  const arn = new URLSearchParams(location.search).get('arn');
  if (!arn) { show(el('p', {}, 'No role given.')); return; }
  const r = await api(`/api/role/${encodeURIComponent(arn)}`);
  const d = r.details;
  const dl = el('dl', { class: 'details' });
  const add = (k, v) => { if (v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && !v.length)) dl.append(el('dt', {}, k), el('dd', {}, v)); };
  add('ARN', el('code', {}, d.arn)); add('Account', `${d.account_name || ''} ${d.account_id}`); add('Path', d.path);
  add('Kinds', r.kinds.map((k) => el('span', { class: 'tag' }, k)));
  add('Privilege', `${r.privilege.level}${r.privilege.level_conditional ? ' (conditional)' : ''}`);
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
  const perms = r.permissions.services.map((s) => el('details', {},
    el('summary', {}, `${s.name} (${s.prefix}): ${s.granted} of ${s.total} actions`),
    table(['Level', 'Actions', 'Granted on'], s.levels.flatMap((l) => l.groups.map((g) => el('tr', {},
      el('td', {}, l.level), el('td', { class: 'mono wrap' }, g.all_of_level ? `all ${l.level} actions (${g.count})` : g.actions.join(', ')),
      el('td', { class: 'wrap' }, grantsText(g.grants))))))));
  const privileged = r.privilege.categories.map((c) => el('details', { open: true },
    el('summary', {}, `${c.kind}: ${c.count} actions${c.conditional ? ' (conditional)' : ''}`),
    el('ul', { class: 'plain' }, c.groups.map((g) => el('li', {}, el('code', {}, g.actions.slice(0, 12).join(', ') + (g.actions.length > 12 ? ` … (+${g.actions.length - 12})` : '')), ' ', grantsText(g.grants)))),
    el('div', { class: 'muted' }, c.statements.map((s) => `${s.policy} statement ${s.statement}${s.sid ? ` (${s.sid})` : ''}`).join('; '))));
  const graphBox = el('div', { class: 'graph-wrap' }, el('div', { id: 'cy' }), el('aside', { id: 'side' }, el('p', { class: 'muted' }, 'Click an edge to see its conditions and evidence; click a role to expand it.')));
  show(
    el('p', {}, el('a', { href: href('/roles') }, '← Roles')),
    el('h1', { id: 'role-name' }, d.name),
    dl,
    el('h2', {}, 'Authorization graph'),
    el('div', { class: 'legend muted' }, el('span', {}, '→ can-assume (dashed: under conditions)'), el('span', {}, '→ runs-as')),
    graphBox,
    el('h2', {}, `Findings (${r.findings.length})`),
    r.findings.length ? table(['Severity', 'Rule', 'Message'], r.findings.map((f) => findingRow(f, false))) : el('p', { class: 'muted' }, 'None.'),
    el('h2', {}, `Trusted entities (${r.trust.entities.length})`), trust,
    r.trust.restrictions.length ? el('div', {}, el('h2', {}, 'Trust restrictions (Deny)'), el('ul', { class: 'plain' }, r.trust.restrictions.map((x) => el('li', {}, x.summary)))) : null,
    el('h2', {}, `Resources using it (${r.used_by.length})`), r.used_by.length ? used : el('p', { class: 'muted' }, 'None known.'),
    el('h2', {}, 'Privileged permissions'), privileged.length ? privileged : el('p', { class: 'muted' }, 'None.'),
    el('h2', {}, `Permissions by service (${r.permissions.granted_actions} actions)`), perms,
    r.gaps.length ? el('div', {}, el('h2', {}, 'Gaps'), el('ul', { class: 'plain' }, r.gaps.map((g) => el('li', {}, g)))) : null);
  window.RoleGraph.mount(document.getElementById('cy'), document.getElementById('side'), d.arn,
    { api, roleHref, el });
}

const PAGES = { '/': overview, '/roles': roles, '/role': role, '/findings': findings };
const active = { '/': 'nav-overview', '/roles': 'nav-roles', '/role': 'nav-roles', '/findings': 'nav-findings' };
for (const id of ['nav-home', 'nav-overview', 'nav-roles', 'nav-findings']) {
  const a = document.getElementById(id);
  a.setAttribute('href', href(a.getAttribute('href')));
}
document.getElementById(active[location.pathname] || 'nav-overview').classList.add('active');
(PAGES[location.pathname] || overview)().catch(fail);
