// The role's authorization graph: drawn with Cytoscape.js when the binary embeds it, listed as
// text otherwise. Edges point from who can act to what they act as (can-assume, runs-as,
// privesc, ...), each checked by the policy engine on both sides.
// Values from the data go into the page as text only.
'use strict';

window.RoleGraph = (() => {
  const state = { cy: null, edges: new Map(), nodes: new Map(), expanded: new Set(), center: null };

  const STYLE = [
    { selector: 'node', style: { label: 'data(label)', 'font-size': 11, 'text-valign': 'bottom', 'text-margin-y': 4,
      'background-color': '#7a8699', width: 26, height: 26, 'text-wrap': 'ellipsis', 'text-max-width': 160 } },
    { selector: 'node[kind = "role"], node[kind = "iam-role"]', style: { 'background-color': '#2f5fd0', shape: 'round-rectangle' } },
    { selector: 'node[?center]', style: { 'background-color': '#9b1c1c', width: 38, height: 38, 'font-weight': 'bold', 'font-size': 13 } },
    { selector: 'node[kind = "service"]', style: { 'background-color': '#1f8a70', shape: 'hexagon' } },
    { selector: 'node[kind ^= "external"]', style: { 'background-color': '#c98a0b', shape: 'diamond' } },
    { selector: 'node[kind = "anyone"]', style: { 'background-color': '#d0452f', shape: 'star' } },
    { selector: 'node[kind = "ec2-instance"], node[kind = "lambda-function"], node[kind ^= "ecs-"]', style: { 'background-color': '#6d4cc2', shape: 'barrel' } },
    { selector: 'node[?admin]', style: { 'border-width': 3, 'border-color': '#d0452f' } },
    { selector: 'node[kind $= "provider"]', style: { 'background-color': '#0f7ea8', shape: 'tag' } },
    { selector: 'node[?expand]', style: { 'border-width': 2, 'border-color': '#8fb0ff' } },
    { selector: 'edge', style: { width: 2, 'curve-style': 'bezier', 'target-arrow-shape': 'triangle', 'line-color': '#9aa5b8',
      'target-arrow-color': '#9aa5b8', label: 'data(kind)', 'font-size': 9, color: '#667085', 'text-rotation': 'autorotate' } },
    { selector: 'edge[?conditional]', style: { 'line-style': 'dashed' } },
    { selector: 'edge[kind = "runs-as"]', style: { 'line-color': '#b9a6e8', 'target-arrow-color': '#b9a6e8' } },
    { selector: 'edge[kind = "privesc"]', style: { 'line-color': '#d0452f', 'target-arrow-color': '#d0452f' } },
    { selector: '.path', style: { 'line-color': '#e8590c', 'target-arrow-color': '#e8590c', 'border-color': '#e8590c', 'border-width': 3, width: 4 } },
    { selector: ':selected', style: { 'overlay-opacity': 0.15, 'overlay-color': '#e8590c' } },
  ];

  function toElements(g) {
    const out = [];
    for (const n of g.nodes) {
      if (state.nodes.has(n.id)) continue;
      state.nodes.set(n.id, n);
      out.push({ group: 'nodes', data: { id: n.id, label: n.label, kind: n.kind, center: n.id === state.center, expand: n.expand || null, admin: n.admin } });
    }
    for (const e of g.edges) {
      if (state.edges.has(e.id)) continue;
      state.edges.set(e.id, e);
      out.push({ group: 'edges', data: { id: e.id, source: e.source, target: e.target, kind: e.kind, conditional: e.conditional } });
    }
    return out;
  }

  function layout() {
    state.cy.layout({ name: 'breadthfirst', roots: [state.cy.getElementById(state.center)], directed: false,
      spacingFactor: 1.1, padding: 30, animate: false }).run();
    // A small graph would be blown up to fill the box: keep its nodes at a readable size.
    if (state.cy.zoom() > 1.2) { state.cy.zoom(1.2); state.cy.center(); }
  }

  const condText = (c) => `${c.negated ? 'not ' : ''}${c.operator} ${c.key} = ${c.values.join(' | ')}${c.scope ? ' (scope: where the request is made)' : ''}`;
  const stmtText = (s) => `${s.source}${s.policy_kind ? ` [${s.policy_kind}]` : ''}${s.statement !== undefined ? ` · statement ${s.statement}` : ''}${s.sid ? ` (${s.sid})` : ''}${s.pointer ? ` · ${s.pointer}` : ''}`;

  function showEdge(side, el, e) {
    const from = state.nodes.get(e.source);
    const to = state.nodes.get(e.target);
    side.replaceChildren(
      el('h3', { id: 'edge-title' }, `${e.kind}: ${from ? from.label : e.source} → ${to ? to.label : e.target}`),
      el('p', { id: 'edge-summary' }, e.summary),
      e.paths && e.paths.length ? el('p', {}, el('b', {}, 'Paths: '), e.paths.join(', ')) : null,
      e.actions && e.actions.length ? el('p', {}, el('b', {}, 'Actions checked: '), e.actions.join(', ')) : null,
      el('p', {}, el('b', {}, e.conditional ? 'Holds only if:' : 'Conditions: none')),
      e.condition_text ? el('p', { class: 'mono', id: 'edge-condition-text' }, e.condition_text) : null,
      el('ul', { class: 'plain', id: 'edge-conditions' }, e.conditions.map((c) =>
        el('li', {}, el('code', {}, condText(c)), el('div', { class: 'muted mono' }, `${c.action} · ${c.pointer}`)))),
      el('p', {}, el('b', {}, 'Evidence: ')),
      el('ul', { class: 'plain mono', id: 'edge-evidence' }, (e.statements && e.statements.length ? e.statements : [e.evidence]).map((s) => el('li', {}, stmtText(s)))),
      e.caveats && e.caveats.length ? el('ul', { class: 'plain muted' }, e.caveats.map((c) => el('li', {}, c))) : null);
  }

  function showNode(side, el, n, roleHref, expandable) {
    side.replaceChildren(
      el('h3', { id: 'node-title' }, n.label),
      el('p', {}, el('b', {}, 'Kind: '), n.kind),
      el('p', { class: 'mono' }, n.id),
      n.account ? el('p', {}, el('b', {}, 'Account: '), n.account) : null,
      n.expand || n.center ? el('p', {}, el('a', { href: roleHref(n.expand || n.id) }, 'Open role page →')) : null,
      expandable ? el('p', { class: 'muted' }, 'Expanded: who can reach this role is now drawn.') : null,
      el('p', { class: 'muted' }, 'The highlighted path leads from this node to the role.'));
  }

  function highlightPath(node) {
    state.cy.elements().removeClass('path');
    const goal = state.cy.getElementById(state.center);
    const found = state.cy.elements().aStar({ root: node, goal, directed: true });
    if (found.found) found.path.addClass('path');
  }

  function asList(container, g, el) {
    container.replaceChildren(
      el('div', { class: 'notice', id: 'graph-notice' }, 'Cytoscape.js was not built into this binary (run crates/server/web/fetch-vendor.sh before cargo build): the graph is listed.'),
      el('ul', { class: 'plain', id: 'graph-list' }, g.edges.map((e) => el('li', {},
        `${e.source} —${e.kind}→ ${e.target}`,
        e.conditions.length ? el('ul', {}, e.conditions.map((c) => el('li', {}, el('code', {}, condText(c))))) : null))));
    container.style.overflow = 'auto';
    container.style.padding = '8px';
  }

  async function mount(container, side, arn, { api, roleHref, el }) {
    const g = await api(`/api/role/${encodeURIComponent(arn)}/graph`);
    state.center = g.role;
    state.expanded.add(g.role);
    if (typeof window.cytoscape !== 'function') { asList(container, g, el); return; }
    state.cy = window.cytoscape({ container, elements: toElements(g), style: STYLE, wheelSensitivity: 0.3, minZoom: 0.1, maxZoom: 4 });
    layout();
    if (g.truncated) side.prepend(el('p', { class: 'notice' }, 'Only part of the graph is drawn (too many nodes).'));
    state.cy.on('tap', 'edge', (evt) => {
      const e = state.edges.get(evt.target.id());
      state.cy.elements().removeClass('path');
      evt.target.addClass('path');
      if (e) showEdge(side, el, e);
    });
    state.cy.on('tap', 'node', async (evt) => {
      const n = state.nodes.get(evt.target.id());
      if (!n) return;
      let expanded = false;
      if (n.expand && !state.expanded.has(n.expand)) {
        state.expanded.add(n.expand);
        const more = await api(`/api/role/${encodeURIComponent(n.expand)}/graph`);
        state.cy.add(toElements(more));
        layout();
        expanded = true;
      }
      highlightPath(evt.target);
      showNode(side, el, n, roleHref, expanded);
    });
  }

  return { mount, state };
})();
