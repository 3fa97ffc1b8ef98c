// The Ouinet client front-end: reads /api/status, /api/dashboard and the group API every two seconds and draws the
// page and its plots (inline SVG, no library). Changes are POSTs carrying the csrf token that /api/status gives.
'use strict';

const COLORS = { origin: '#1f6feb', proxy: '#8250df', injector: '#1a7f37', 'local-cache': '#bf8700', 'dist-cache': '#0a9396', failed: '#cf222e' };
const LEVELS = ['SILLY', 'DEBUG', 'VERBOSE', 'INFO', 'WARN', 'ERROR', 'ABORT'];
const SVG = 'http://www.w3.org/2000/svg';
const REFRESH_MS = 2000;
let status = null;

const $ = id => document.getElementById(id);
const setText = (id, value) => { $(id).textContent = value; };

function formatBytes(n) {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return (i === 0 ? n : n.toFixed(1)) + ' ' + units[i];
}

async function getJson(path) {
  const response = await fetch(path, { cache: 'no-store' });
  if (!response.ok) throw new Error(path + ': ' + response.status + ' ' + await response.text());
  return response.json();
}

async function post(path, args) {
  const body = new URLSearchParams(Object.assign({}, args, { csrf: status.csrf }));
  const response = await fetch(path, { method: 'POST', body, headers: { Accept: 'application/json' } });
  if (!response.ok) showError(path + ': ' + response.status + ' ' + await response.text());
  await refresh();
}

function showError(message) {
  const el = $('error');
  el.hidden = !message;
  el.textContent = message || '';
}

function renderStatus(s) {
  const state = $('state');
  state.textContent = s.state;
  state.dataset.state = s.state;
  setText('state-reason', s.state_reason || '');
  setText('version', s.ouinet_version);
  setText('protocol', s.ouinet_protocol);
  setText('updated', new Date().toLocaleTimeString());
  setText('proxy-endpoint', s.proxy_endpoint || '—');
  for (const arg of ['origin_access', 'proxy_access', 'injector_access', 'distributed_cache']) {
    const button = $('switch-' + arg);
    button.setAttribute('aria-pressed', String(s[arg]));
    button.title = s[arg] ? 'on: click to switch off' : 'off: click to switch on';
    const available = s.mechanisms_available[arg];
    setText('note-' + arg, available ? '' : arg === 'distributed_cache' ? '(distributed cache not enabled)' : '(no injector configured)');
  }
  $('switch-logfile').setAttribute('aria-pressed', String(s.logfile));
  const select = $('loglevel');
  if (select.options.length === 0) {
    for (const level of LEVELS) select.add(new Option(level, level));
  }
  if (document.activeElement !== select) select.value = s.log_level;
  setText('injector-endpoint', s.injector_endpoint || 'none configured');
  const reach = $('injector-reachable');
  reach.className = 'pill' + (s.injector_reachable === true ? ' ok' : s.injector_reachable === false ? ' bad' : '');
  reach.textContent = s.injector_endpoint == null ? '' : s.injector_reachable === true ? 'reachable' : s.injector_reachable === false ? 'unreachable' : 'checking…';
  setText('injector-pubkey', s.injector_pubkey || '—');
  const dht = s.dht;
  $('dht-off').hidden = dht != null;
  $('dht-on').hidden = dht == null;
  if (dht != null) {
    setText('dht-bootstrapped', dht.bootstrapped ? 'bootstrapped' : 'not bootstrapped yet');
    setText('dht-routing-table', dht.routing_table_size);
    setText('dht-public-endpoint', dht.public_endpoint || 'unknown yet');
    setText('dht-announced', dht.announced_groups);
    setText('bytes-to-peers', formatBytes(dht.bytes_to_peers));
    setText('bytes-from-peers', formatBytes(dht.bytes_from_peers));
  }
  setText('cache-size', s.local_cache_enabled ? formatBytes(s.local_cache_size) : 'no local cache (no cache-http-public-key)');
  setText('cache-entries', s.local_cache_entries);
  $('cache-entries-box').hidden = !s.local_cache_enabled;
  setText('static-cache', s.static_cache ? s.static_cache.root + ' (' + s.static_cache.entries + ' entries)' : 'none');
  setText('max-cached-age', s.max_cached_age < 0 ? 'forever' : (s.max_cached_age / 3600).toFixed(1) + ' h');
  $('purge').disabled = !s.local_cache_enabled;
}

function renderGroups(groups, pinned) {
  const list = $('groups');
  const pinnedSet = new Set(pinned);
  list.replaceChildren();
  if (groups.length === 0) {
    const li = document.createElement('li');
    li.className = 'muted';
    li.textContent = 'no groups yet';
    list.append(li);
  }
  for (const group of groups.slice(0, 500)) {
    const li = document.createElement('li');
    li.textContent = group;
    const isPinned = pinnedSet.has(group);
    const button = document.createElement('button');
    button.textContent = isPinned ? 'unpin' : 'pin';
    button.dataset.group = group;
    button.addEventListener('click', () => post(isPinned ? '/api/groups/unpin' : '/api/groups/pin', { name: group }));
    li.append(button);
    list.append(li);
  }
}

function svgElement(name, attributes) {
  const el = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) el.setAttribute(key, value);
  return el;
}

// Stacked bars: one per minute of the last hour, one colour per source.
function plotRequests(dashboard) {
  // Drawn at the container's own width, so that labels are not stretched.
  const width = plotWidth('plot-requests'), height = 170, left = 28, bottom = 16;
  const minutes = dashboard.minutes;
  const totals = minutes.map(m => dashboard.sources.reduce((sum, s) => sum + m[s], 0));
  const max = Math.max(1, ...totals);
  const svg = svgElement('svg', { viewBox: `0 0 ${width} ${height}`, height, role: 'img', 'aria-label': 'requests per minute by source' });
  svg.dataset.total = totals.reduce((a, b) => a + b, 0);
  const barWidth = (width - left) / minutes.length;
  const scale = (height - bottom - 4) / max;
  svg.append(svgElement('line', { x1: left, y1: height - bottom, x2: width, y2: height - bottom, stroke: '#d0d7de' }));
  minutes.forEach((minute, i) => {
    let y = height - bottom;
    for (const source of dashboard.sources) {
      const n = minute[source];
      if (n === 0) continue;
      const h = n * scale;
      y -= h;
      const rect = svgElement('rect', { x: left + i * barWidth + 1, y, width: Math.max(1, barWidth - 2), height: h, fill: COLORS[source] || '#888' });
      rect.dataset.source = source;
      const title = svgElement('title', {});
      title.textContent = `${new Date(minute.t * 1000).toLocaleTimeString()}: ${n} ${source}`;
      rect.append(title);
      svg.append(rect);
    }
  });
  addLabel(svg, 2, 10, String(max));
  addLabel(svg, 2, height - bottom, '0');
  addLabel(svg, left, height - 3, '−60 min');
  addLabel(svg, width - 22, height - 3, 'now');
  $('plot-requests').replaceChildren(svg);
  setText('requests-total', dashboard.requests_total);
  const legend = $('legend');
  if (legend.childElementCount === 0) {
    for (const source of dashboard.sources) {
      const item = document.createElement('span');
      const swatch = document.createElement('i');
      swatch.style.background = COLORS[source] || '#888';
      item.append(swatch, source);
      legend.append(item);
    }
  }
}

function plotWidth(containerId) {
  return Math.max(300, Math.round($(containerId).clientWidth || 600));
}

function addLabel(svg, x, y, text) {
  const label = svgElement('text', { x, y });
  label.textContent = text;
  svg.append(label);
}

// Lines over the distributed cache's samples; each series scaled to its own maximum (named in the legend).
function plotLines(containerId, samples, series) {
  const width = plotWidth(containerId), height = 150, pad = 4;
  const svg = svgElement('svg', { viewBox: `0 0 ${width} ${height}`, height, role: 'img' });
  const n = samples.length;
  for (const { values, color } of series) {
    const max = Math.max(1, ...values);
    const points = values.map((v, i) => `${(n <= 1 ? 0 : i / (n - 1)) * width},${height - pad - (v / max) * (height - 2 * pad)}`);
    if (points.length > 0) svg.append(svgElement('polyline', { points: points.join(' '), fill: 'none', stroke: color, 'stroke-width': 2 }));
  }
  let y = 12;
  for (const { label, values, color } of series) {
    const text = svgElement('text', { x: 4, y, fill: color });
    text.textContent = `${label} (max ${Math.max(0, ...values)})`;
    svg.append(text);
    y += 12;
  }
  $(containerId).replaceChildren(svg);
}

function deltas(samples, key) {
  return samples.map((s, i) => i === 0 ? 0 : Math.max(0, s[key] - samples[i - 1][key]));
}

function plotPeers(dashboard) {
  $('plot-peers-box').hidden = !dashboard.distributed_cache;
  if (!dashboard.distributed_cache) return;
  const samples = dashboard.peers;
  plotLines('plot-peers', samples, [
    { label: 'bytes to peers', values: deltas(samples, 'bytes_to_peers'), color: COLORS['dist-cache'] },
    { label: 'bytes from peers', values: deltas(samples, 'bytes_from_peers'), color: COLORS.injector },
  ]);
  const ok = deltas(samples, 'lookups_succeeded'), failed = deltas(samples, 'lookups_failed');
  plotLines('plot-dht', samples, [
    { label: 'routing-table size', values: samples.map(s => s.routing_table_size), color: COLORS.origin },
    { label: 'lookup success %', values: ok.map((v, i) => v + failed[i] === 0 ? 0 : Math.round(100 * v / (v + failed[i]))), color: COLORS['local-cache'] },
  ]);
}

function renderRecent(recent) {
  const body = $('recent').tBodies[0];
  body.replaceChildren();
  for (const r of recent) {
    const row = body.insertRow();
    const cells = [new Date(r.time).toLocaleTimeString(), r.method, r.uri, r.source, r.status, r.verification];
    cells.forEach((value, i) => {
      const cell = row.insertCell();
      cell.textContent = value;
      if (i === 2) cell.title = r.uri;
      if (i === 3) { cell.className = 'src'; cell.style.color = COLORS[r.source] || ''; }
    });
  }
}

async function refresh() {
  try {
    status = await getJson('/api/status');
    renderStatus(status);
    const [dashboard, groups, pinned] = await Promise.all([getJson('/api/dashboard'), getJson('/api/groups'), getJson('/api/groups/pinned')]);
    plotRequests(dashboard);
    plotPeers(dashboard);
    renderRecent(dashboard.recent);
    renderGroups(groups.groups, pinned.pinned_groups);
    if ($('error').textContent.startsWith('Cannot reach')) showError('');
  } catch (e) {
    showError('Cannot reach the client: ' + e.message);
  }
}

function wire() {
  for (const button of document.querySelectorAll('button.switch')) {
    button.addEventListener('click', () => post('/', { [button.dataset.arg]: button.getAttribute('aria-pressed') === 'true' ? 'disable' : 'enable' }));
  }
  $('loglevel').addEventListener('change', e => post('/', { loglevel: e.target.value }));
  $('purge').addEventListener('click', () => {
    if (confirm('Remove every cached page except those of pinned groups?')) post('/', { purge_cache: '1' });
  });
  refresh();
  setInterval(refresh, REFRESH_MS);
}

document.addEventListener('DOMContentLoaded', wire);
