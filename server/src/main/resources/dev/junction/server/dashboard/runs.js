// Runs: every run of the polling and batch sources, newest first (filter by integration and status), and one run whole: its
// window, the watermark before and after, what it read and what became of it, and the error of a failed run.
import { api, el, ago, showProblem } from './lib.js';

const STATUSES = ['', 'running', 'succeeded', 'partial', 'failed'];
const REFRESH_MS = 3000;

export async function render(main, [id], query) {
  return id ? renderOne(main, id) : renderList(main, query);
}

async function renderList(main, query) {
  const integration = el('input', { id: 'runs-integration', placeholder: 'integration', value: query.get('integration') || '' });
  const status = el('select', { id: 'runs-status' }, STATUSES.map(s => el('option', { value: s, selected: s === (query.get('status') || '') }, s || 'any status')));
  const apply = event => {
    event.preventDefault();
    const q = new URLSearchParams();
    if (integration.value.trim()) q.set('integration', integration.value.trim());
    if (status.value) q.set('status', status.value);
    location.hash = '#/runs' + (q.toString() ? '?' + q : '');
  };
  const table = el('table', { id: 'runs' });
  main.append(el('form', { id: 'runs-filter', onsubmit: apply }, integration, ' ', status, ' ', el('button', { type: 'submit' }, 'Filter')),
    el('p', { class: 'muted' }, 'The runs of polling and batch sources, newest first. A failed run is tried again at the next tick from the last committed watermark.'),
    table);
  const q = new URLSearchParams({ limit: '100' });
  if (query.get('integration')) q.set('integration', query.get('integration'));
  if (query.get('status')) q.set('status', query.get('status'));
  const load = async () => {
    try {
      const runs = await api('runs?' + q);
      showList(table, runs.items);
    } catch (problem) {
      showProblem(problem);
    }
  };
  await load();
  const timer = setInterval(load, REFRESH_MS);
  return () => clearInterval(timer);
}

function showList(table, runs) {
  table.replaceChildren(
    el('tr', {}, ['Started', 'Integration', 'Status', 'Window', 'Pages', 'Read', 'Accepted', 'Duplicate', 'Invalid', 'Failed', 'Took']
      .map(h => el('th', {}, h))),
    ...(runs.length === 0 ? [el('tr', {}, el('td', { colspan: 11, class: 'muted' }, 'No runs.'))] : []),
    ...runs.map(r => el('tr', { 'data-run': r.id, class: 'run ' + r.status },
      el('td', {}, el('a', { href: '#/runs/' + encodeURIComponent(r.id) }, ago(r.started))),
      el('td', {}, r.integration),
      el('td', { class: 'status' + (r.status === 'failed' || r.status === 'partial' ? ' bad' : '') }, r.status),
      el('td', {}, window_(r)),
      el('td', {}, r.pages), el('td', { class: 'read' }, r.read), el('td', { class: 'accepted' }, r.accepted),
      el('td', {}, r.duplicate), el('td', { class: r.invalid ? 'bad' : '' }, r.invalid), el('td', { class: r.failed ? 'bad' : '' }, r.failed),
      el('td', {}, took(r)))));
}

async function renderOne(main, id) {
  let run;
  try {
    run = await api('runs/' + encodeURIComponent(id));
  } catch (problem) {
    showProblem(problem);
    return;
  }
  const row = (label, value) => el('tr', {}, el('th', {}, label), el('td', {}, value ?? ''));
  main.append(el('div', { id: 'run' },
    el('p', {}, el('a', { href: '#/runs?integration=' + encodeURIComponent(run.integration) }, '← the runs of ' + run.integration)),
    el('h2', {}, 'Run ', el('code', {}, run.id)),
    el('table', { class: 'fields' },
      row('Integration', run.integration), row('Source', run.source),
      row('Status', el('span', { id: 'run-status', class: run.status === 'failed' || run.status === 'partial' ? 'bad' : '' }, run.status)),
      row('Started', run.started), row('Finished', run.finished || 'still running'), row('Window', window_(run)),
      row('Watermark before', run.watermarkBefore), row('Watermark after', run.watermarkAfter),
      row('Pages', run.pages), row('Read', run.read), row('Accepted', run.accepted), row('Duplicate', run.duplicate),
      row('Invalid (dead letters)', run.invalid), row('Failed', run.failed)),
    run.error ? el('div', {}, el('h3', {}, 'Error'), el('pre', { id: 'run-error', class: 'bad' }, run.error)) : null,
    run.invalid ? el('p', {}, el('a', { href: '#/dead-letters?integration=' + encodeURIComponent(run.integration) }, 'The dead letters of ' + run.integration)) : null));
}

function window_(run) {
  if (!run.windowFrom && !run.windowTo) return '';
  return (run.windowFrom || 'the beginning') + ' → ' + (run.windowTo || 'now');
}

function took(run) {
  if (!run.finished) return 'running';
  const seconds = (Date.parse(run.finished) - Date.parse(run.started)) / 1000;
  return seconds < 120 ? seconds.toFixed(1) + ' s' : Math.round(seconds / 60) + ' min';
}
