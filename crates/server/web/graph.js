// The role's authorization graph, drawn as SVG by this script alone (no third-party code, so a
// plain `cargo build` gives the whole UI). Edges point from who can act to what they act as
// (can-assume, runs-as, privesc, ...), each checked by the policy engine on both sides.
// Layout: columns by hops from the role (who reaches it to the left, what runs as it or what
// it reaches to the right), each column ordered to keep edges short; pan by dragging, zoom
// with the wheel or the buttons. Values from the data go into the page as text only
// (textContent and attributes, never markup).
'use strict';

window.RoleGraph = (() => {
  const NS = 'http://www.w3.org/2000/svg';
  const COL = 250; // horizontal distance between columns
  const ROW = 64; // vertical distance between nodes of a column
  const R = 14; // node radius
  const state = {
    nodes: new Map(), edges: new Map(), out: new Map(), in: new Map(), expanded: new Set(), center: null,
    pos: new Map(), view: { x: 0, y: 0, k: 1 }, svg: null, port: null, path: new Set(), selected: null,
  };

  function svg(tag, attrs, ...kids) {
    const n = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) if (v !== null && v !== undefined && v !== false) n.setAttribute(k, String(v));
    for (const k of kids.flat()) if (k !== null && k !== undefined) n.append(k);
    return n;
  }

  // What a node looks like: its shape class follows its kind.
  function shapeOf(n) {
    const k = n.kind || '';
    if (n.id === state.center) return 'center';
    if (k === 'role' || k === 'iam-role') return 'role';
    if (k === 'user' || k === 'group') return 'principal';
    if (k === 'service') return 'service';
    if (k.startsWith('external')) return 'external';
    if (k === 'anyone') return 'anyone';
    if (k.endsWith('provider')) return 'provider';
    if (k === 'ec2-instance' || k === 'lambda-function' || k.startsWith('ecs-') || k === 'service-resource') return 'compute';
    if (k === 'account-admin') return 'admin';
    if (k === 'capability') return 'capability';
    return 'other';
  }

  function glyph(shape) {
    switch (shape) {
      case 'role': case 'center': return svg('rect', { x: -R, y: -R, width: 2 * R, height: 2 * R, rx: 5 });
      case 'service': return svg('polygon', { points: hexagon(R) });
      case 'external': case 'admin': return svg('polygon', { points: `0,${-R - 2} ${R + 2},0 0,${R + 2} ${-R - 2},0` });
      case 'anyone': return svg('polygon', { points: star(R + 3) });
      case 'compute': return svg('rect', { x: -R, y: -R * 0.8, width: 2 * R, height: 1.6 * R, rx: 8 });
      case 'capability': return svg('polygon', { points: `${-R},${-R * 0.7} ${R},${-R * 0.7} ${R * 0.6},${R * 0.7} ${-R * 0.6},${R * 0.7}` });
      default: return svg('circle', { r: R });
    }
  }

  function hexagon(r) {
    return [0, 1, 2, 3, 4, 5].map((i) => { const a = Math.PI / 3 * i; return `${(r * Math.cos(a)).toFixed(1)},${(r * Math.sin(a)).toFixed(1)}`; }).join(' ');
  }

  function star(r) {
    return [...Array(10).keys()].map((i) => {
      const a = Math.PI / 5 * i - Math.PI / 2; const d = i % 2 ? r * 0.45 : r;
      return `${(d * Math.cos(a)).toFixed(1)},${(d * Math.sin(a)).toFixed(1)}`;
    }).join(' ');
  }

  // Adds a graph's nodes and edges (those not drawn yet), and keeps the edges by source and by
  // target for the walks.
  function add(g) {
    let added = 0;
    for (const n of g.nodes) if (!state.nodes.has(n.id)) { state.nodes.set(n.id, n); added += 1; }
    for (const e of g.edges) {
      if (state.edges.has(e.id)) continue;
      state.edges.set(e.id, e);
      for (const [by, key] of [[state.out, e.source], [state.in, e.target]]) {
        if (!by.has(key)) by.set(key, []);
        by.get(key).push(e);
      }
    }
    return added;
  }

  // Hops from the role: breadth first against the edges for who reaches it (negative columns:
  // compute that runs as the role is there too, it acts as the role), and one hop along the
  // role's own edges for what it reaches (column 1).
  function columns() {
    const col = new Map([[state.center, 0]]);
    const queue = [state.center];
    while (queue.length) {
      const id = queue.shift();
      for (const e of state.in.get(id) || []) if (!col.has(e.source)) { col.set(e.source, col.get(id) - 1); queue.push(e.source); }
    }
    for (const e of state.edges.values()) if (e.source === state.center && !col.has(e.target)) col.set(e.target, 1);
    // Anything else (linked only through what the role reaches): one column further out.
    let changed = true;
    while (changed) {
      changed = false;
      for (const e of state.edges.values()) {
        const s = col.get(e.source); const t = col.get(e.target);
        if (t !== undefined && s === undefined) { col.set(e.source, t <= 0 ? t - 1 : t + 1); changed = true; }
        else if (s !== undefined && t === undefined) { col.set(e.target, s >= 0 ? s + 1 : s - 1); changed = true; }
      }
    }
    return col;
  }

  // Columns: hops from the role, negative for who reaches it, positive for what it reaches or
  // what runs as it; then each column ordered by the mean row of its neighbours (two sweeps).
  function layout() {
    state.col = columns();
    const col = state.col;
    const edges = [...state.edges.values()];
    let far = Math.min(0, ...col.values()) - 1;
    for (const id of state.nodes.keys()) if (!col.has(id)) col.set(id, far--); // not linked (should not happen)
    const cols = new Map();
    for (const [id, c] of col) { if (!cols.has(c)) cols.set(c, []); cols.get(c).push(id); }
    const row = new Map();
    const keys = [...cols.keys()].sort((a, b) => Math.abs(a) - Math.abs(b) || a - b);
    for (const c of keys) cols.get(c).sort((a, b) => shapeOf(state.nodes.get(a)).localeCompare(shapeOf(state.nodes.get(b))) || label(a).localeCompare(label(b)));
    const place = () => { for (const c of keys) cols.get(c).forEach((id, i) => row.set(id, i - (cols.get(c).length - 1) / 2)); };
    place();
    const neighbours = new Map();
    for (const e of edges) {
      if (!neighbours.has(e.source)) neighbours.set(e.source, []);
      if (!neighbours.has(e.target)) neighbours.set(e.target, []);
      neighbours.get(e.source).push(e.target); neighbours.get(e.target).push(e.source);
    }
    for (let sweep = 0; sweep < 2; sweep += 1) {
      for (const c of keys) {
        if (c === 0) continue;
        const mean = (id) => { const ns = (neighbours.get(id) || []).filter((n) => Math.abs(col.get(n)) < Math.abs(c)); return ns.length ? ns.reduce((s, n) => s + row.get(n), 0) / ns.length : 0; };
        cols.get(c).sort((a, b) => mean(a) - mean(b));
      }
      place();
    }
    state.pos.clear();
    for (const [id, c] of col) state.pos.set(id, { x: c * COL, y: row.get(id) * ROW });
  }

  const label = (id) => { const n = state.nodes.get(id); return n ? String(n.label) : String(id); };
  const short = (s, max) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

  function draw() {
    const port = state.port;
    port.replaceChildren();
    const edgeLayer = svg('g', { class: 'edges' });
    const nodeLayer = svg('g', { class: 'nodes' });
    // Parallel edges between the same pair are bent apart.
    const pairs = new Map();
    for (const e of state.edges.values()) {
      const key = [e.source, e.target].sort().join('\u0000');
      pairs.set(key, (pairs.get(key) || 0) + 1);
    }
    const seen = new Map();
    for (const e of state.edges.values()) {
      const a = state.pos.get(e.source); const b = state.pos.get(e.target);
      if (!a || !b) continue;
      const key = [e.source, e.target].sort().join('\u0000');
      const i = seen.get(key) || 0; seen.set(key, i + 1);
      const bend = (i - ((pairs.get(key) || 1) - 1) / 2) * 36;
      const dx = b.x - a.x; const dy = b.y - a.y; const len = Math.hypot(dx, dy) || 1;
      const ux = dx / len; const uy = dy / len;
      const sx = a.x + ux * (R + 2); const sy = a.y + uy * (R + 2);
      const tx = b.x - ux * (R + 6); const ty = b.y - uy * (R + 6);
      const mx = (sx + tx) / 2 - uy * bend; const my = (sy + ty) / 2 + ux * bend;
      const d = `M${sx.toFixed(1)},${sy.toFixed(1)} Q${mx.toFixed(1)},${my.toFixed(1)} ${tx.toFixed(1)},${ty.toFixed(1)}`;
      const cls = ['edge', `edge-${e.kind}`, e.conditional ? 'conditional' : '', state.path.has(e.id) ? 'path' : '', state.selected === e.id ? 'selected' : ''].filter(Boolean).join(' ');
      const lx = (sx + 2 * mx + tx) / 4; const ly = (sy + 2 * my + ty) / 4;
      const g = svg('g', { class: cls, 'data-id': e.id, 'data-kind': e.kind, 'data-source': e.source, 'data-target': e.target },
        svg('path', { class: 'line', d, 'marker-end': 'url(#rg-arrow)' }),
        svg('path', { class: 'hit', d }),
        svg('text', { class: 'edge-label', x: lx.toFixed(1), y: (ly - 4).toFixed(1), 'text-anchor': 'middle' }, document.createTextNode(e.kind)));
      const title = svg('title'); title.textContent = `${e.kind}: ${label(e.source)} → ${label(e.target)}`;
      g.append(title);
      g.addEventListener('click', (ev) => { ev.stopPropagation(); onEdge(e); });
      edgeLayer.append(g);
    }
    for (const [id, n] of state.nodes) {
      const p = state.pos.get(id);
      if (!p) continue;
      const shape = shapeOf(n);
      const cls = ['node', `shape-${shape}`, n.admin ? 'admin' : '', n.expand && !state.expanded.has(n.expand) ? 'expandable' : '', state.path.has(id) ? 'path' : ''].filter(Boolean).join(' ');
      const text = svg('text', { y: R + 14, 'text-anchor': 'middle' });
      text.textContent = short(String(n.label), 34);
      const title = svg('title'); title.textContent = `${n.label}\n${n.kind}\n${n.id}`;
      const g = svg('g', { class: cls, 'data-id': id, 'data-kind': n.kind, 'data-label': String(n.label), transform: `translate(${p.x},${p.y})` }, glyph(shape), text, title);
      g.addEventListener('click', (ev) => { ev.stopPropagation(); onNode(n); });
      nodeLayer.append(g);
    }
    port.append(edgeLayer, nodeLayer);
    transform();
  }

  function transform() {
    const v = state.view;
    state.port.setAttribute('transform', `translate(${v.x.toFixed(1)},${v.y.toFixed(1)}) scale(${v.k.toFixed(3)})`);
  }

  // Fits the drawing into the box; a small graph keeps its nodes at a readable size.
  function fit() {
    const box = state.svg.getBoundingClientRect();
    const w = box.width || 800; const h = box.height || 500;
    const xs = [...state.pos.values()].map((p) => p.x); const ys = [...state.pos.values()].map((p) => p.y);
    if (!xs.length) return;
    const minX = Math.min(...xs) - 120; const maxX = Math.max(...xs) + 120;
    const minY = Math.min(...ys) - 40; const maxY = Math.max(...ys) + 50;
    const k = Math.max(0.15, Math.min(1.2, w / (maxX - minX), h / (maxY - minY)));
    state.view = { k, x: w / 2 - k * (minX + maxX) / 2, y: h / 2 - k * (minY + maxY) / 2 };
    transform();
  }

  function zoom(factor, cx, cy) {
    const v = state.view;
    const k = Math.max(0.1, Math.min(4, v.k * factor));
    state.view = { k, x: cx - (cx - v.x) * (k / v.k), y: cy - (cy - v.y) * (k / v.k) };
    transform();
  }

  // The shortest path, following the edges' direction, from a node to the role (or from the
  // role to a node it reaches), as its edges in order.
  function pathEdges(id) {
    const [from, to] = (state.col && state.col.get(id) > 0) ? [state.center, id] : [id, state.center];
    const prev = new Map([[from, null]]);
    const queue = [from];
    while (queue.length) {
      const at = queue.shift();
      if (at === to) break;
      for (const e of state.out.get(at) || []) if (!prev.has(e.target)) { prev.set(e.target, e); queue.push(e.target); }
    }
    const hops = [];
    if (!prev.has(to)) return hops;
    for (let e = prev.get(to); e; e = prev.get(e.source)) hops.unshift(e);
    return hops;
  }

  function pathSet(hops, id) {
    const set = new Set([id]);
    for (const e of hops) { set.add(e.id); set.add(e.source); set.add(e.target); }
    return set;
  }

  const condText = (c) => `${c.negated ? 'not ' : ''}${c.operator} ${c.key} = ${c.values.join(' | ')}${c.scope ? ' (scope: where the request is made)' : ''}`;
  const stmtText = (s) => `${s.source}${s.policy_kind ? ` [${s.policy_kind}]` : ''}${s.statement !== undefined ? ` · statement ${s.statement}` : ''}${s.sid ? ` (${s.sid})` : ''}${s.pointer ? ` · ${s.pointer}` : ''}`;

  let ui = null;

  // What an edge rests on: its documented paths, the actions checked, its conditions atom by
  // atom, and every statement behind it (what `rolegraph path` prints for a hop).
  function edgeDetail(e, ids) {
    const { el } = ui;
    return [
      e.paths && e.paths.length ? el('p', {}, el('b', {}, 'Paths: '), e.paths.join(', ')) : null,
      e.actions && e.actions.length ? el('p', {}, el('b', {}, 'Actions checked: '), e.actions.join(', ')) : null,
      el('p', {}, el('b', {}, e.conditional ? 'Holds only if:' : 'Conditions: none')),
      e.condition_text ? el('p', { class: 'mono', id: ids ? 'edge-condition-text' : null }, e.condition_text) : null,
      el('ul', { class: 'plain', id: ids ? 'edge-conditions' : null }, e.conditions.map((c) =>
        el('li', {}, el('code', {}, condText(c)), el('div', { class: 'muted mono' }, `${c.action} · ${c.pointer}`)))),
      el('p', {}, el('b', {}, 'Evidence: ')),
      el('ul', { class: 'plain mono', id: ids ? 'edge-evidence' : null }, (e.statements && e.statements.length ? e.statements : [e.evidence]).map((s) => el('li', {}, stmtText(s)))),
      e.caveats && e.caveats.length ? el('ul', { class: 'plain muted' }, e.caveats.map((c) => el('li', {}, c))) : null,
    ].filter(Boolean);
  }

  function onEdge(e) {
    state.path = new Set([e.id]);
    state.selected = e.id;
    draw();
    const { side, el } = ui;
    // replaceChildren would print a null as the text "null": only elements go in.
    side.replaceChildren(
      el('h3', { id: 'edge-title' }, `${e.kind}: ${label(e.source)} → ${label(e.target)}`),
      el('p', { id: 'edge-summary' }, e.summary),
      ...edgeDetail(e, true));
  }

  async function onNode(n) {
    const { api } = ui;
    if (n.expand && !state.expanded.has(n.expand)) {
      state.expanded.add(n.expand);
      const more = await api(`/api/role/${encodeURIComponent(n.expand)}/graph`);
      if (add(more)) { layout(); draw(); fit(); showNode(n, true); return; }
    }
    showNode(n, false);
  }

  // Selects a node: highlights its path to the role and lists each hop with its decision.
  function showNode(n, expanded) {
    const { side, el, roleHref } = ui;
    const hops = n.id === state.center ? [] : pathEdges(n.id);
    state.path = pathSet(hops, n.id);
    state.selected = null;
    draw();
    const toRole = !(state.col && state.col.get(n.id) > 0);
    side.replaceChildren(...[
      el('h3', { id: 'node-title' }, n.label),
      el('p', {}, el('b', {}, 'Kind: '), n.kind),
      el('p', { class: 'mono' }, n.id),
      n.account ? el('p', {}, el('b', {}, 'Account: '), n.account) : null,
      n.expand || n.id === state.center ? el('p', {}, el('a', { href: roleHref(n.expand || n.id) }, 'Open role page →')) : null,
      expanded ? el('p', { class: 'muted' }, 'Expanded: who can reach this role is now drawn.') : null,
      hops.length ? el('p', {}, el('b', {}, toRole ? `Path to the role, ${hops.length} hop${hops.length > 1 ? 's' : ''}:` : 'The role reaches it:')) : null,
      hops.length ? el('ol', { class: 'hops', id: 'node-path' }, hops.map((e) => el('li', {},
        el('details', {}, el('summary', {}, `${label(e.source)} —${e.kind}→ ${label(e.target)}${e.conditional ? ' (under conditions)' : ''}`),
          el('p', {}, e.summary), ...edgeDetail(e, false))))) : null,
    ].filter(Boolean));
  }

  // Who can reach the role, grouped: outside the organization, other accounts, the same
  // account, services, identity providers, and what runs as it; then what the role reaches.
  // Each entry shows its hops and selects its path in the graph.
  function reachList(box) {
    const { el } = ui;
    const center = state.nodes.get(state.center);
    const groups = [['outside', 'Outside the organization'], ['other', 'Other accounts of the organization'], ['same', 'Same account'],
      ['service', 'AWS services'], ['provider', 'Identity providers (SAML, OIDC)'], ['compute', 'Runs as it'], ['admin', 'Account administrators'], ['reach', 'What it can act as']];
    const buckets = new Map(groups.map(([k]) => [k, []]));
    for (const [id, n] of state.nodes) {
      if (id === state.center) continue;
      const c = state.col.get(id);
      const shape = shapeOf(n);
      let g;
      if (c > 0) g = 'reach';
      else if (shape === 'anyone' || shape === 'external') g = 'outside';
      else if (shape === 'service') g = 'service';
      else if (shape === 'provider') g = 'provider';
      else if (shape === 'compute') g = 'compute';
      else if (shape === 'admin' || shape === 'capability') g = 'admin';
      else if (n.account && center && n.account !== center.account) g = 'other';
      else g = 'same';
      const hops = pathEdges(id);
      buckets.get(g).push({ n, hops: Math.abs(c), conditional: hops.some((e) => e.conditional) });
    }
    box.replaceChildren(...groups.filter(([k]) => buckets.get(k).length).map(([k, title]) => {
      const list = buckets.get(k).sort((a, b) => a.hops - b.hops || String(a.n.label).localeCompare(String(b.n.label)));
      return el('details', { open: k !== 'admin', class: 'reach-group', 'data-group': k },
        el('summary', {}, `${title} (${list.length})`),
        el('ul', { class: 'plain' }, list.map(({ n, hops, conditional }) => {
          const a = el('a', { href: '#cy', class: 'reach-node', 'data-id': n.id }, String(n.label));
          a.addEventListener('click', (ev) => { ev.preventDefault(); showNode(n, false); document.getElementById('cy').scrollIntoView({ block: 'nearest' }); });
          return el('li', {}, a, el('span', { class: 'muted' }, ` ${n.kind}${n.account ? ` · ${n.account}` : ''} · ${hops} hop${hops > 1 ? 's' : ''}${conditional ? ' · under conditions' : ''}`));
        })));
    }));
  }

  function controls(container) {
    const { el } = ui;
    const rect = () => state.svg.getBoundingClientRect();
    const button = (text, title, f) => { const b = el('button', { type: 'button', title }, text); b.addEventListener('click', f); return b; };
    return el('div', { class: 'graph-controls' },
      button('+', 'Zoom in', () => { const r = rect(); zoom(1.25, r.width / 2, r.height / 2); }),
      button('−', 'Zoom out', () => { const r = rect(); zoom(0.8, r.width / 2, r.height / 2); }),
      button('Fit', 'Fit the graph in the box', fit),
      button('SVG', 'Download the drawing as SVG', () => {
        const blob = new Blob([new XMLSerializer().serializeToString(state.svg)], { type: 'image/svg+xml' });
        const a = el('a', { href: URL.createObjectURL(blob), download: 'rolegraph.svg' });
        container.append(a); a.click(); a.remove();
      }));
  }

  async function mount(container, side, arn, { api, roleHref, el, list }) {
    ui = { side, el, api, roleHref };
    const g = await api(`/api/role/${encodeURIComponent(arn)}/graph`, { depth: 8, reach: true });
    state.nodes.clear(); state.edges.clear(); state.out.clear(); state.in.clear(); state.expanded.clear();
    state.path = new Set(); state.selected = null;
    state.center = g.role;
    state.expanded.add(g.role);
    add(g);
    state.svg = svg('svg', { class: 'graph', role: 'img', 'aria-label': `Who can reach ${label(g.role)}` },
      svg('defs', {}, svg('marker', { id: 'rg-arrow', viewBox: '0 0 10 10', refX: 8, refY: 5, markerUnits: 'userSpaceOnUse', markerWidth: 11, markerHeight: 11, orient: 'auto-start-reverse' },
        svg('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrow' }))));
    state.port = svg('g', { class: 'viewport' });
    state.svg.append(state.port);
    container.replaceChildren(state.svg, controls(container));
    if (g.truncated) side.prepend(el('p', { class: 'notice' }, 'Only part of the graph is drawn (too many nodes).'));
    // Pan by dragging the background, zoom with the wheel.
    let drag = null;
    state.svg.addEventListener('pointerdown', (ev) => {
      if (ev.target.closest('g.node, g.edge')) return;
      drag = { x: ev.clientX, y: ev.clientY, vx: state.view.x, vy: state.view.y };
      state.svg.setPointerCapture(ev.pointerId);
    });
    state.svg.addEventListener('pointermove', (ev) => {
      if (!drag) return;
      state.view.x = drag.vx + ev.clientX - drag.x; state.view.y = drag.vy + ev.clientY - drag.y;
      transform();
    });
    state.svg.addEventListener('pointerup', () => { drag = null; });
    state.svg.addEventListener('wheel', (ev) => {
      ev.preventDefault();
      const r = state.svg.getBoundingClientRect();
      zoom(ev.deltaY < 0 ? 1.15 : 1 / 1.15, ev.clientX - r.left, ev.clientY - r.top);
    }, { passive: false });
    layout();
    draw();
    fit();
    if (list) reachList(list);
  }

  // For tests and the console: what is drawn.
  const drawn = () => ({
    nodes: [...state.nodes.values()].map((n) => ({ id: n.id, label: n.label, kind: n.kind })),
    edges: [...state.edges.values()].map((e) => ({ id: e.id, source: e.source, target: e.target, kind: e.kind })),
    path: [...state.path],
  });

  return { mount, state, drawn };
})();
