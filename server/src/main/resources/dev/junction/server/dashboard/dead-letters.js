// Dead letters: the list filtered by integration, replay a selection or everything matching, and one dead letter in full
// (#/dead-letter/<messageId>) with its raw original, transformed payload, attempts, audit, replay and discard.
import { api, el, ago, showProblem, canOperate, refresh } from './lib.js';

const FILTERS = ['integration', 'system', 'errorClass', 'from', 'to'];

/** #/dead-letters?integration=..&system=..&errorClass=..&from=..&to=.. (from and to: ISO-8601 instants) */
export async function render(main, args, query) {
  const filter = Object.fromEntries(FILTERS.filter(f => query.get(f)).map(f => [f, query.get(f)]));
  const search = new URLSearchParams(filter).toString();
  let integrations, systems, listing, audit;
  try {
    [integrations, systems, listing, audit] = await Promise.all([api('integrations'), api('systems'),
      api('dead-letters?limit=100' + (search ? '&' + search : '')),
      api('dead-letters/audit' + (filter.integration ? '?integration=' + encodeURIComponent(filter.integration) : ''))]);
  } catch (problem) {
    showProblem(problem);
    return;
  }
  const choose = (id, all, names, value) => el('select', { id, name: id.replace('filter-', '') }, el('option', { value: '' }, all),
    names.map(n => el('option', { value: n, selected: n === value }, n)));
  const form = el('form', { id: 'filter', onsubmit: e => {
    e.preventDefault();
    const chosen = new URLSearchParams();
    for (const f of FILTERS) {
      const value = form.elements[f].value.trim();
      if (value) chosen.set(f, f === 'from' || f === 'to' ? new Date(value).toISOString() : value);
    }
    location.hash = '#/dead-letters?' + chosen;
  } },
    choose('filter-integration', 'every integration', integrations.items.map(i => i.name), filter.integration), ' ',
    choose('filter-system', 'every system', systems.items.map(s => s.name), filter.system), ' ',
    el('input', { name: 'errorClass', placeholder: 'error class, e.g. http-400', value: filter.errorClass, size: 22 }), ' from ',
    el('input', { name: 'from', type: 'datetime-local', value: local(filter.from) }), ' to ',
    el('input', { name: 'to', type: 'datetime-local', value: local(filter.to) }), ' ',
    el('button', { type: 'submit', id: 'apply-filter' }, 'Filter'));
  const progress = el('span', { id: 'progress' });
  const mappings = el('select', { id: 'bulk-mappings' },
    el('option', { value: 'original' }, 'original mapping'), el('option', { value: 'current' }, 'current mapping'));
  const rows = listing.items.map(d => el('tr', { 'data-message-id': d.messageId },
    canOperate() ? el('td', {}, el('input', { type: 'checkbox', class: 'select', value: d.messageId })) : null,
    el('td', {}, el('a', { href: '#/dead-letter/' + encodeURIComponent(d.messageId), class: 'key' }, d.idempotencyKey)),
    el('td', {}, d.integration), el('td', {}, d.target), el('td', {}, d.system),
    el('td', {}, d.errorClass || ''), el('td', {}, d.detail || ''), el('td', {}, d.attempts), el('td', {}, ago(d.deadLetteredAt))));
  main.append(el('div', {},
    el('h2', {}, `Dead letters (${listing.matched})`),
    form,
    canOperate() ? el('p', {},
      el('button', { id: 'replay-selected', onclick: () => replaySelected(main, mappings.value, progress) }, 'Replay selected'), ' ',
      el('button', { id: 'replay-matching', onclick: () => replayMatching({ ...filter, mappings: mappings.value }, listing.matched, progress) },
        `Replay all ${listing.matched} matching`), ' with ', mappings, ' ', progress) : null,
    el('table', { id: 'dead-letters' },
      el('tr', {}, [canOperate() ? '' : null, 'Key', 'Integration', 'Target', 'System', 'Error class', 'Detail', 'Attempts',
        'Dead-lettered'].filter(h => h !== null).map(h => el('th', {}, h))),
      rows),
    listing.next ? el('p', { class: 'muted' }, 'Showing the newest 100.') : null,
    el('h2', {}, 'Audit: who replayed or discarded what'),
    audit.items.length === 0 ? el('p', { class: 'muted' }, 'Nothing yet.') : el('table', { id: 'audit' },
      el('tr', {}, ['At', 'Action', 'By', 'Reason', 'Message'].map(h => el('th', {}, h))),
      audit.items.slice(0, 50).map(o => el('tr', {}, el('td', {}, o.at), el('td', {}, o.action), el('td', {}, o.by),
        el('td', {}, o.reason || ''), el('td', {}, el('a', { href: '#/message/' + encodeURIComponent(o.messageId) }, o.idempotencyKey)))))));
}

/** An ISO instant as a datetime-local input's value (the browser's time zone). */
function local(iso) {
  if (!iso) return undefined;
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
}

async function replaySelected(main, mappings, progress) {
  const ids = [...main.querySelectorAll('input.select:checked')].map(box => box.value);
  let done = 0;
  for (const id of ids) {
    try {
      await api(`dead-letters/${encodeURIComponent(id)}/replay`, { method: 'POST', body: { mappings } });
    } catch (problem) {
      showProblem(problem);
      return;
    }
    progress.textContent = `Replayed ${++done} of ${ids.length}`;
  }
  await refresh();
  document.getElementById('progress').textContent = `Replayed ${done} of ${ids.length}`;
}

async function replayMatching(filter, matched, progress) {
  if (!confirm(`Replay all ${matched} dead letters matching the filter?`)) return;
  try {
    const answer = await api('dead-letters/replay', { method: 'POST', body: filter });
    if (answer.id) { // 202: a bulk operation runs; follow its progress
      let state = answer;
      while (state.status === 'running') {
        progress.textContent = `Replaying: ${state.done} of ${state.total}`;
        await new Promise(resolve => setTimeout(resolve, 1000));
        state = await api('operations/' + encodeURIComponent(answer.id));
      }
      progress.textContent = `${state.status}: ${state.done} of ${state.total}${state.error ? ' (' + state.error + ')' : ''}`;
    } else {
      progress.textContent = `Replayed ${answer.count}`;
    }
    const summary = progress.textContent;
    await refresh();
    document.getElementById('progress').textContent = summary;
  } catch (problem) {
    showProblem(problem);
  }
}

/** #/dead-letter/<messageId> */
export async function renderOne(main, [messageId]) {
  let d;
  try {
    d = await api('dead-letters/' + encodeURIComponent(messageId));
  } catch (problem) {
    showProblem(problem);
    return;
  }
  const result = el('p', { id: 'result' });
  main.append(el('div', {},
    el('h2', {}, 'Dead letter ', el('code', {}, d.idempotencyKey)),
    el('p', {}, `Integration ${d.integration}, message `, el('a', { href: '#/message/' + encodeURIComponent(d.messageId) }, d.messageId),
      `, received ${d.receivedAt}, dead-lettered ${d.deadLetteredAt}`),
    canOperate() ? actions(d, result) : null,
    result,
    el('h2', {}, `Raw original (${d.contentType || 'no content type'}, ${d.rawEncoding})`),
    el('pre', { id: 'raw' }, d.raw ?? 'withheld: the integration masks fields and this original is not JSON'),
    el('h2', {}, 'Transformed ', el('span', { class: 'muted' }, d.mappingVersions.join(', '))),
    el('pre', {}, d.transformed === null ? '(not transformed)' : JSON.stringify(d.transformed, null, 2)),
    d.targets.map(t => [
      el('h2', {}, `Target ${t.target} (${t.system}): ${t.errorClass || ''}`),
      el('p', {}, t.detail || ''),
      el('table', { class: 'attempts' },
        el('tr', {}, ['#', 'At', 'Duration', 'Result', 'Error class', 'Detail'].map(h => el('th', {}, h))),
        t.history.map(a => el('tr', {}, el('td', {}, a.number), el('td', {}, a.at), el('td', {}, `${a.millis} ms`),
          el('td', {}, a.result), el('td', {}, a.errorClass || ''), el('td', {}, a.detail || ''))))]),
    el('h2', {}, 'Audit'),
    d.operations.length === 0 ? el('p', { class: 'muted' }, 'No replay or discard yet.')
      : el('ul', {}, d.operations.map(o => el('li', {}, `${o.at} ${o.action} by ${o.by}${o.reason ? ': ' + o.reason : ''}`)))));
}

function actions(d, result) {
  const mappings = el('select', { id: 'mappings' },
    el('option', { value: 'original' }, 'original mapping'), el('option', { value: 'current' }, 'current mapping'));
  const reason = el('input', { id: 'reason', placeholder: 'reason (required to discard)', size: 30 });
  const apply = async (action, body) => {
    try {
      const answer = await api(`dead-letters/${encodeURIComponent(d.messageId)}/${action}`, { method: 'POST', body });
      result.replaceChildren(`${answer.action} ${answer.count}: `,
        el('a', { href: '#/message/' + encodeURIComponent(d.messageId), id: 'lineage-link' }, 'follow it in its lineage'));
      showProblem(null);
    } catch (problem) {
      showProblem(problem);
    }
  };
  return el('p', {},
    el('button', { id: 'replay', onclick: () => apply('replay', { mappings: mappings.value }) }, 'Replay'), ' with ', mappings, ' · ',
    reason, ' ', el('button', { id: 'discard', onclick: () => apply('discard', reason.value.trim() ? { reason: reason.value.trim() } : {}) }, 'Discard'));
}
