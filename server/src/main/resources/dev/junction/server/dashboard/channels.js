// Channels: each channel of the canonical model, the schema versions it has, who publishes to it (and which version) and who
// subscribes (the versions each accepts, where each delivers, and how many messages wait in its inbox). A subscriber that
// lags or fails holds back only itself: its row shows it. Polls every few seconds.
import { api, el, showProblem } from './lib.js';

const POLL_MS = 3000;

export function render(main) {
  main.append(
    el('p', { class: 'muted' }, 'Publishers map their source to the channel\'s canonical schema; each subscriber gets every message in its own inbox.'),
    el('div', { id: 'channels' }),
    el('p', { class: 'muted', id: 'refreshed' }));
  const refresh = async () => {
    try {
      const [channels, integrations] = await Promise.all([api('channels'), api('integrations')]);
      const subscribers = channels.items.flatMap(c => c.subscribers.map(s => s.integration));
      const open = Object.fromEntries(await Promise.all([...new Set(subscribers)].map(name =>
        api('dead-letters?limit=1&integration=' + encodeURIComponent(name)).then(l => [name, l.matched]))));
      const targets = Object.fromEntries(integrations.items.map(i => [i.name, i.targets]));
      showChannels(main.querySelector('#channels'), channels.items, targets, open);
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

function showChannels(box, channels, targets, open) {
  if (channels.length === 0) {
    box.replaceChildren(el('p', { class: 'muted' }, 'No channels in this configuration (junction.channels).'));
    return;
  }
  box.replaceChildren(...channels.map(c => el('section', { class: 'channel', 'data-channel': c.name },
    el('h2', {}, c.name, ' ', el('span', { class: 'muted' }, `schema v${c.version}`)),
    el('p', { class: 'schemas muted' }, 'Versions: ', c.schemas.map(s => `v${s.version} (${s.file})`).join(', ')),
    el('table', { class: 'publishers' },
      el('tr', {}, ['Publisher', 'Target', 'Publishes'].map(h => el('th', {}, h))),
      ...(c.publishers.length === 0 ? [el('tr', {}, el('td', { colspan: 3, class: 'muted' }, 'Nobody publishes to this channel.'))] : []),
      ...c.publishers.map(p => el('tr', { 'data-publisher': p.integration },
        el('td', {}, p.integration), el('td', {}, p.target), el('td', { class: 'version' }, `v${p.version}`)))),
    el('table', { class: 'subscribers' },
      el('tr', {}, ['Subscriber', 'Accepts', 'Delivers to', 'Waiting', 'Open dead letters'].map(h => el('th', {}, h))),
      ...(c.subscribers.length === 0 ? [el('tr', {}, el('td', { colspan: 5, class: 'muted' }, 'Nobody subscribes to this channel.'))] : []),
      ...c.subscribers.map(s => el('tr', { 'data-subscriber': s.integration },
        el('td', {}, s.integration),
        el('td', { class: 'accepts' }, s.versions.length ? s.versions.map(v => 'v' + v).join(', ') : 'every version'),
        el('td', { class: 'delivers-to' }, (targets[s.integration] || []).join(', ')),
        el('td', { class: 'waiting' + (s.lag > 0 ? ' bad' : '') }, s.lag > 0 ? `${s.lag} waiting` : 'up to date'),
        el('td', { class: 'open-dead-letters' }, open[s.integration] > 0
          ? el('a', { href: '#/dead-letters?integration=' + encodeURIComponent(s.integration), class: 'bad' }, open[s.integration]) : '0')))))));
}
