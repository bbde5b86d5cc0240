// A message: search by integration and idempotency key, or by message id; its lineage as a timeline (#/message/<messageId>).
import { api, el, showProblem } from './lib.js';

export async function render(main, [messageId]) {
  let integrations;
  try {
    integrations = await api('integrations');
  } catch (problem) {
    showProblem(problem);
    return;
  }
  const integration = el('select', { id: 'search-integration' }, integrations.items.map(i => el('option', { value: i.name }, i.name)));
  const key = el('input', { id: 'search-key', placeholder: 'idempotency key', size: 30 });
  const id = el('input', { id: 'search-id', placeholder: 'message id', size: 40 });
  const lineage = el('div', { id: 'lineage' });
  const show = async path => {
    try {
      showTimeline(lineage, await api(path));
      showProblem(null);
    } catch (problem) {
      lineage.replaceChildren();
      showProblem(problem);
    }
  };
  main.append(
    el('h2', {}, 'Find a message'),
    el('form', { id: 'by-key', onsubmit: e => { e.preventDefault();
      show(`messages?integration=${encodeURIComponent(integration.value)}&key=${encodeURIComponent(key.value.trim())}`); } },
      integration, ' ', key, ' ', el('button', { type: 'submit' }, 'Find by key')),
    el('form', { id: 'by-id', onsubmit: e => { e.preventDefault(); location.hash = '#/message/' + encodeURIComponent(id.value.trim()); } },
      id, ' ', el('button', { type: 'submit' }, 'Find by id')),
    lineage);
  if (!messageId) return;
  await show('messages/' + encodeURIComponent(messageId));
  // A message still on its way (pending) is shown again every few seconds until it settles.
  const timer = setInterval(() => {
    if (lineage.querySelector('#message-status')?.textContent === 'pending') show('messages/' + encodeURIComponent(messageId));
  }, 2000);
  return () => clearInterval(timer);
}

/** Everything that happened to the message, oldest first: received, each delivery (steps, targets, attempts), replays and discards. */
function showTimeline(box, m) {
  const events = [{ at: m.receivedAt, node: el('span', {}, el('strong', {}, 'received'),
    ` revision ${m.revision || '?'}, ${m.contentType || ''}`, m.parentId ? [' (split from ', link(m.parentId), ')'] : '') }];
  m.deliveries.forEach((d, n) => events.push({ at: d.settledAt, node: el('div', {},
    el('strong', {}, n === 0 ? 'delivery' : `delivery ${n + 1}`), ` revision ${d.revision || '?'}`,
    d.mappingVersions.length ? `, mapping ${d.mappingVersions.join(', ')}` : '',
    el('ul', {},
      d.steps.map(s => el('li', {}, `step ${s.index} ${s.step}${s.version ? ' ' + s.version : ''}`,
        s.output ? el('pre', {}, JSON.stringify(s.output, null, 2)) : '')),
      d.targets.map(t => el('li', { class: 'target', 'data-status': t.status },
        `target ${t.target} (${t.system}): `, el('strong', { class: t.status === 'delivered' ? 'ok' : 'bad' }, t.status),
        t.errorClass ? ` ${t.errorClass}: ${t.detail || ''}` : '',
        el('ul', {}, (t.history || []).map(a => el('li', {},
          `attempt ${a.number} at ${a.at}: ${a.result} in ${a.millis} ms${a.errorClass ? ' (' + a.errorClass + ': ' + (a.detail || '') + ')' : ''}`))))),
      d.children.length ? el('li', {}, 'split into ', d.children.map(c => [link(c), ' '])) : '')) }));
  m.operations.forEach(o => events.push({ at: o.at, node: el('span', {}, el('strong', {}, o.action),
    ` by ${o.by}${o.reason ? ': ' + o.reason : ''} (${o.targets.join(', ')})`) }));
  events.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  box.replaceChildren(
    el('h2', {}, 'Message ', el('code', {}, m.idempotencyKey), ' ', el('span', { id: 'message-status', class: m.status === 'delivered' ? 'ok' : 'bad' }, m.status)),
    el('p', {}, `Integration ${m.integration}, id ${m.messageId}, trace id ${m.traceId || 'none'}`),
    el('ol', { class: 'timeline' }, events.map(e => el('li', {}, el('span', { class: 'when' }, e.at), e.node))),
    el('h2', {}, 'Raw original'),
    el('pre', {}, m.raw ?? 'withheld: the integration masks fields and this original is not JSON'));
}

function link(messageId) {
  return el('a', { href: '#/message/' + encodeURIComponent(messageId) }, messageId);
}
