// Live view of one edge or of the whole cluster (#scope=cluster): polls the admin API's overview every second and
// draws the offload ratio over time, the host/client trees per stream and the failovers. The token comes from the
// URL (#token=...) or the form.
'use strict';

const POLL_MS = 1000;
const WINDOW_MS = 5 * 60 * 1000;
const $ = id => document.getElementById(id);

const state = { samples: [], overview: null, trees: {}, polls: 0, error: null };
window.p2pEdgeDashboard = state;

function scope() {
  return new URLSearchParams(location.hash.slice(1)).get('scope') === 'cluster' ? 'cluster' : 'edge';
}

function token() {
  const fromHash = new URLSearchParams(location.hash.slice(1)).get('token');
  if (fromHash) sessionStorage.setItem('p2pEdgeAdminToken', fromHash);
  return sessionStorage.getItem('p2pEdgeAdminToken');
}

async function poll() {
  const t = token();
  if (!t) {
    $('auth').style.display = 'flex';
    return;
  }
  try {
    const response = await fetch('/admin/overview' + (scope() === 'cluster' ? '?scope=cluster' : ''), { headers: { Authorization: 'Bearer ' + t }, cache: 'no-store' });
    if (response.status === 401) {
      sessionStorage.removeItem('p2pEdgeAdminToken');
      $('auth').style.display = 'flex';
      throw new Error('the admin token was refused');
    }
    if (!response.ok) throw new Error('overview answered ' + response.status);
    const answer = await response.json();
    const overview = answer.scope === 'cluster' ? merge(answer) : answer;
    state.error = null;
    $('error').textContent = '';
    show(overview);
  } catch (e) {
    state.error = String(e.message || e);
    $('error').textContent = state.error;
  }
}

/** The cluster's overviews as one: every edge's players, summed counters, the (already cluster-wide) hosts. */
function merge(cluster) {
  const edges = cluster.edges;
  const sum = key => {
    const out = {};
    for (const e of edges) for (const [k, v] of Object.entries(e.counters[key])) out[k] = (out[k] || 0) + v;
    return out;
  };
  const count = edges.reduce((n, e) => n + e.counters.failovers.count, 0);
  const mean = count === 0 ? 0 : edges.reduce((t, e) => t + e.counters.failovers.meanMillis * e.counters.failovers.count, 0) / count;
  return {
    edge: edges.length + ' edges' + (cluster.unreachable.length ? ' (' + cluster.unreachable.length + ' not answering)' : ''),
    draining: edges.some(e => e.draining),
    time: cluster.time,
    peers: edges.flatMap(e => e.peers),
    hosts: edges.length ? edges[0].hosts : [],
    counters: {
      placements: sum('placements'), replacements: sum('replacements'), signallingErrors: sum('signallingErrors'),
      failovers: { count, meanMillis: mean, maxMillis: Math.max(0, ...edges.map(e => e.counters.failovers.maxMillis)) },
    },
    edges: edges.map(e => e.edge),
  };
}

function show(overview) {
  state.overview = overview;
  state.polls++;
  const players = overview.peers.filter(p => p.role);
  const clients = players.filter(p => p.role === 'client').length;
  const ratio = players.length === 0 ? 0 : clients / players.length;
  const failovers = overview.counters.failovers.count;
  state.samples.push({ time: overview.time, ratio, players: players.length, failovers });
  while (state.samples.length && state.samples[0].time < overview.time - WINDOW_MS) state.samples.shift();
  $('edge').textContent = overview.edges ? 'cluster, ' + overview.edge : 'edge ' + overview.edge.slice(0, 8);
  $('scope').textContent = scope() === 'cluster' ? 'view this edge' : 'view the cluster';
  $('players').textContent = players.length;
  $('offload').textContent = (100 * ratio).toFixed(0) + '%';
  $('hosts').textContent = players.filter(p => p.role === 'host').length;
  $('failovers').textContent = failovers;
  $('state').textContent = overview.draining ? 'draining' : 'serving';
  drawChart();
  drawFailovers(overview.counters);
  drawTrees(overview);
}

/** Offload ratio and players as lines, failovers since the previous sample as bars, over the last 5 minutes. */
function drawChart() {
  const canvas = $('offload-chart');
  const g = canvas.getContext('2d');
  const w = canvas.width, h = canvas.height, pad = 24;
  g.clearRect(0, 0, w, h);
  g.strokeStyle = '#2a313b';
  g.fillStyle = '#9aa4b2';
  g.font = '11px sans-serif';
  for (let i = 0; i <= 4; i++) {
    const y = pad + (h - 2 * pad) * i / 4;
    g.beginPath(); g.moveTo(pad, y); g.lineTo(w - pad, y); g.stroke();
  }
  const samples = state.samples;
  if (samples.length === 0) return;
  const end = samples[samples.length - 1].time, start = end - WINDOW_MS;
  const x = t => pad + (w - 2 * pad) * (t - start) / WINDOW_MS;
  const maxPlayers = Math.max(1, ...samples.map(s => s.players));
  g.fillText('1.0', 2, pad + 4);
  g.fillText(String(maxPlayers), w - pad + 2, pad + 4);
  g.fillStyle = '#ff9e64';
  for (let i = 1; i < samples.length; i++) {
    const d = samples[i].failovers - samples[i - 1].failovers;
    if (d > 0) {
      const barH = Math.min(h - 2 * pad, 12 * d);
      g.fillRect(x(samples[i].time) - 2, h - pad - barH, 4, barH);
    }
  }
  line(g, samples, x, s => h - pad - (h - 2 * pad) * s.ratio, '#4cc38a');
  line(g, samples, x, s => h - pad - (h - 2 * pad) * s.players / maxPlayers, '#7aa2f7');
}

function line(g, samples, x, y, color) {
  g.strokeStyle = color;
  g.lineWidth = 2;
  g.beginPath();
  samples.forEach((s, i) => (i === 0 ? g.moveTo(x(s.time), y(s)) : g.lineTo(x(s.time), y(s))));
  g.stroke();
  g.lineWidth = 1;
}

function drawFailovers(counters) {
  const rows = [
    ['failovers (stop -> media again)', counters.failovers.count],
    ['failover mean / max', counters.failovers.count === 0 ? '-'
      : counters.failovers.meanMillis.toFixed(0) + ' ms / ' + counters.failovers.maxMillis.toFixed(0) + ' ms'],
  ];
  for (const [cause, n] of Object.entries(counters.replacements).sort()) rows.push(['re-placed: ' + cause.replace('_', ' '), n]);
  for (const [role, n] of Object.entries(counters.placements).sort()) rows.push(['placed as ' + role, n]);
  const body = $('failover-table').tBodies[0];
  body.replaceChildren(...rows.map(([k, v]) => {
    const tr = document.createElement('tr');
    tr.append(cell(k), cell(String(v)));
    return tr;
  }));
}

function cell(text) {
  const td = document.createElement('td');
  td.textContent = text;
  return td;
}

/**
 * Per stream and per edge: the Host Peers it serves with their clients under them (a client on another edge is
 * named with its edge), and its edge-only players; clients of a host not in view hang under that host on its
 * edge. Kept in state.trees (stream -> {hosts: {host: [clients]}, edgeOnly: [ids], remote: {host: [clients]}}).
 */
function drawTrees(overview) {
  const streams = {};
  const byId = new Map(overview.peers.map(p => [p.id, p]));
  const edgeOf = new Map(overview.hosts.map(h => [h.host, h.edge]));
  for (const p of overview.peers) {
    if (!p.role) continue;
    const s = streams[p.stream] = streams[p.stream] || { hosts: {}, edgeOnly: [], remote: {} };
    if (p.role === 'host') {
      s.hosts[p.id] = s.hosts[p.id] || [];
    } else if (p.role === 'edge') {
      s.edgeOnly.push(p.id);
    } else if (p.host !== undefined && byId.has(p.host)) {
      (s.hosts[p.host] = s.hosts[p.host] || []).push(p.id);
    } else if (p.host !== undefined) {
      (s.remote[p.host] = s.remote[p.host] || []).push(p.id);
    }
  }
  state.trees = streams;
  const short = id => String(id || '?').slice(0, 8);
  const root = $('trees');
  root.replaceChildren(...Object.entries(streams).sort().map(([name, s]) => {
    const div = document.createElement('div');
    const title = document.createElement('h3');
    title.textContent = name;
    const tree = document.createElement('ul');
    tree.className = 'tree';
    const edges = [...new Set(overview.peers.filter(p => p.stream === name).map(p => p.edge))].sort();
    for (const edgeId of edges) {
      const edge = item('edge ' + short(edgeId), 'edge');
      const under = document.createElement('ul');
      for (const [host, clients] of Object.entries(s.hosts)) {
        if (byId.get(Number(host)).edge !== edgeId) continue;
        const h = item('host ' + host + figures(byId.get(Number(host))), 'host');
        if (clients.length) {
          h.append(list(clients.map(c => item('client ' + c + (byId.get(c).edge === edgeId ? '' : ' (on edge ' + short(byId.get(c).edge) + ')'),
            'client'))));
        }
        under.append(h);
      }
      for (const id of s.edgeOnly) if (byId.get(id).edge === edgeId) under.append(item('edge-only ' + id + figures(byId.get(id)), 'edgeonly'));
      edge.append(under);
      tree.append(edge);
    }
    for (const [host, clients] of Object.entries(s.remote)) {
      const h = item('host ' + host + ' on edge ' + short(edgeOf.get(Number(host))), 'remote');
      h.append(list(clients.map(c => item('client ' + c + ' (on edge ' + short(byId.get(c).edge) + ')', 'client'))));
      tree.append(h);
    }
    div.append(title, tree);
    return div;
  }));
}

/**
 * A player's edge leg as its edge sees it (layer of layers, kbit/s its feedback says arrived or its receiver
 * estimates, loss, layer switches) and the freezes the player itself reports, as a short suffix ('' for none).
 */
function figures(p) {
  const parts = [];
  const leg = p && p.leg;
  if (leg) {
    if (leg.layers > 1 && leg.layer >= 0) parts.push(`layer ${leg.layer + 1}/${leg.layers}`);
    if (leg.deliveredKbps >= 0) parts.push(`${leg.deliveredKbps} kbit/s arrived`);
    else if (leg.estimateKbps >= 0) parts.push(`${leg.estimateKbps} kbit/s estimated`);
    if (leg.lossPercent > 0) parts.push(`${leg.lossPercent} % lost`);
    if (leg.pacedKbps > 0) parts.push(`paced at ${leg.pacedKbps} kbit/s`);
    if (leg.switches > 0) parts.push(`${leg.switches} switch${leg.switches === 1 ? '' : 'es'}`);
  }
  if (p && p.freezes !== undefined) parts.push(`${p.freezes} freeze${p.freezes === 1 ? '' : 's'}`);
  return parts.length ? ' · ' + parts.join(' · ') : '';
}

function item(text, kind) {
  const li = document.createElement('li');
  const span = document.createElement('span');
  span.className = 'node ' + kind;
  span.textContent = text;
  li.append(span);
  return li;
}

function list(items) {
  const ul = document.createElement('ul');
  ul.append(...items);
  return ul;
}

$('scope').addEventListener('click', e => {
  e.preventDefault();
  const params = new URLSearchParams(location.hash.slice(1));
  params.set('scope', scope() === 'cluster' ? 'edge' : 'cluster');
  location.hash = params.toString();
  state.samples.length = 0;
  poll();
});

$('auth').addEventListener('submit', e => {
  e.preventDefault();
  sessionStorage.setItem('p2pEdgeAdminToken', $('token').value);
  $('auth').style.display = 'none';
  poll();
});

poll();
setInterval(poll, POLL_MS);
