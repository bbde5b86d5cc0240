// Overview: firing alerts, each integration's flow over the last hour, each system's state on this node. Polls every few seconds.
import { api, el, ago, showProblem } from './lib.js';

const POLL_MS = 3000;

export function render(main) {
  main.append(
    el('div', { id: 'alerts' }),
    el('h2', {}, 'Integrations ', el('span', { class: 'muted' }, '(last 60 min)')),
    el('table', { id: 'integrations' }),
    el('h2', {}, 'Systems ', el('span', { class: 'muted' }, '(this node)')),
    el('table', { id: 'systems' }),
    el('p', { class: 'muted', id: 'refreshed' }));
  const refresh = async () => {
    try {
      const [integrations, activity, alerts, systems] = await Promise.all([
        api('integrations'), api('activity?minutes=60'), api('alerts'), api('systems')]);
      const open = await Promise.all(integrations.items.map(i =>
        api('dead-letters?limit=1&integration=' + encodeURIComponent(i.name)).then(l => l.matched)));
      showAlerts(main.querySelector('#alerts'), alerts.items.filter(a => a.state === 'firing'));
      showIntegrations(main.querySelector('#integrations'), integrations.items, activity.items, open);
      showSystems(main.querySelector('#systems'), systems.items);
      main.querySelector('#refreshed').textContent = 'Updated ' + new Date().toLocaleTimeString();
      showProblem(null);
    } catch (problem) {
      showProblem(problem);
    }
  };
  refresh();
  const timer = setInterval(refresh, POLL_MS);
  return () => clearInterval(timer);
}

function showAlerts(box, firing) {
  box.replaceChildren(...firing.map(a => el('div', { class: 'alert' },
    el('strong', {}, a.name), ` (${a.integration || a.system}, since ${ago(a.since)}): ${a.detail}`)));
}

function showIntegrations(table, integrations, activity, openDeadLetters) {
  const byName = Object.fromEntries(activity.map(a => [a.integration, a]));
  table.replaceChildren(
    el('tr', {}, ['Integration', 'Source', 'Targets', 'Per minute', 'Received', 'Delivered', 'Filtered', 'Dead-lettered',
      'Open dead letters',
      'Last delivered']
      .map(h => el('th', {}, h))),
    ...integrations.map((i, n) => {
      const a = byName[i.name] || {};
      return el('tr', { 'data-integration': i.name },
        el('td', {}, i.name, el('br'), el('span', { class: 'muted' }, 'revision ' + i.revision)),
        el('td', {}, i.source),
        el('td', {}, i.targets.join(', ')),
        el('td', {}, a.buckets ? chart(a) : ''),
        el('td', { class: 'received' }, a.received ?? ''),
        el('td', { class: 'delivered' }, a.delivered ?? ''),
        el('td', { class: 'filtered' }, a.filtered ?? ''),
        el('td', { class: 'dead-lettered' + (a.deadLettered ? ' bad' : '') }, a.deadLettered ?? ''),
        el('td', { class: 'open-dead-letters' }, openDeadLetters[n] > 0
          ? el('a', { href: '#/dead-letters?integration=' + encodeURIComponent(i.name), class: 'bad' }, openDeadLetters[n]) : '0'),
        el('td', { class: 'last-delivered' }, ago(a.lastDeliveredAt)));
    }));
}

function showSystems(table, systems) {
  table.replaceChildren(
    el('tr', {}, ['System', 'Connector', 'State', 'Breaker', 'Paused', 'In flight', 'Queued', 'Delivered / failed', 'Last error']
      .map(h => el('th', {}, h))),
    ...systems.map(s => {
      const breaker = s.circuitBreaker ? s.circuitBreaker.state.toLowerCase() : '';
      const failure = s.lastFailure;
      return el('tr', { 'data-system': s.name },
        el('td', {}, s.name),
        el('td', {}, s.connector),
        el('td', {}, s.state),
        el('td', { class: 'breaker ' + (breaker === 'closed' || breaker === 'disabled' ? 'ok' : 'bad') }, breaker,
          s.circuitBreaker && breaker !== 'closed' ? el('span', { class: 'muted' }, ` since ${ago(s.circuitBreaker.since)}`) : ''),
        el('td', {}, s.pausedUntil ? `until ${s.pausedUntil} (${s.pauseReason || ''})` : 'no'),
        el('td', { class: 'in-flight' }, `${s.inFlight} / ${s.maxInFlight}`),
        el('td', {}, s.queued),
        el('td', {}, `${s.delivered} / ${s.failed}`),
        el('td', { class: 'last-error' }, failure ? `${failure.errorClass}: ${failure.detail} (${ago(failure.at)})` : ''));
    }));
}

const SVG = 'http://www.w3.org/2000/svg';
const SERIES = [['received', '#789'], ['delivered', '#2a2'], ['filtered', '#c80'], ['deadLettered', '#c22']];

/** A small line chart of the last hour's buckets: received (grey), delivered (green), filtered (amber), dead-lettered (red). */
function chart(activity) {
  const slots = Math.round(activity.minutes * 60 / activity.bucketSeconds);
  const size = activity.bucketSeconds * 1000;
  const now = Date.now();
  const end = now - (now % size) + size;
  const counts = SERIES.map(() => new Array(slots).fill(0));
  for (const b of activity.buckets) {
    const slot = slots - Math.round((end - Date.parse(b.start)) / size);
    if (slot >= 0 && slot < slots) SERIES.forEach(([field], n) => { counts[n][slot] = b[field]; });
  }
  const width = 180, height = 36;
  const max = Math.max(1, ...counts.flat());
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('width', width);
  svg.setAttribute('height', height);
  svg.setAttribute('class', 'chart');
  counts.forEach((values, n) => {
    const line = document.createElementNS(SVG, 'polyline');
    line.setAttribute('points', values.map((v, i) =>
      `${(i * width / Math.max(1, slots - 1)).toFixed(1)},${(height - 2 - v * (height - 4) / max).toFixed(1)}`).join(' '));
    line.setAttribute('fill', 'none');
    line.setAttribute('stroke', SERIES[n][1]);
    line.setAttribute('stroke-width', '1.5');
    svg.append(line);
  });
  const title = document.createElementNS(SVG, 'title');
  title.textContent = `per ${activity.bucketSeconds} s over ${activity.minutes} min, most ${max}: received grey, delivered green, filtered amber, dead-lettered red`;
  svg.append(title);
  return svg;
}
