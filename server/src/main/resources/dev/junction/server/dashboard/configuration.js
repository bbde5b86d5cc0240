// Configuration: each integration's current revision and the revisions still loaded, the revisions each node of the cluster
// runs, the last change (applied, or refused with every problem), a reload of the configuration file (operators) and the
// file itself, secrets redacted.
import { api, el, ago, showProblem, canOperate, refresh } from './lib.js';

export async function render(main) {
  let integrations, text;
  try {
    [integrations, text] = await Promise.all([api('integrations'), api('configuration')]);
  } catch (problem) {
    showProblem(problem);
    return;
  }
  const result = el('p', { id: 'reload-result' });
  const reload = async () => {
    try {
      const answer = await api('integrations/reload', { method: 'POST' });
      await refresh();
      document.getElementById('reload-result').textContent = answer.changes.length
        ? 'Applied: ' + answer.changes.join('; ') : 'Applied: nothing changed';
    } catch (problem) {
      showProblem(problem);
    }
  };
  const last = integrations.lastChange;
  const lastChange = last == null ? el('p', { id: 'last-change' }, 'No change since the nodes started.')
    : el('div', { id: 'last-change' },
      el('p', {}, (last.applied ? 'Applied ' : 'Refused ') + ago(last.at) + ' (asked of ' + last.askedOf + ')'),
      el('ul', {}, (last.applied ? last.changes : last.problems).map(line => el('li', {}, line))));
  const nodes = integrations.nodes || [];
  main.append(el('div', {},
    el('h2', {}, 'Last change'),
    lastChange,
    nodes.length > 1 ? el('h2', {}, 'Nodes') : null,
    nodes.length > 1 ? el('table', { id: 'nodes' },
      el('tr', {}, ['Node', 'Revisions', ''].map(h => el('th', {}, h))),
      nodes.map(n => el('tr', {}, el('td', {}, n.node),
        el('td', {}, n.answered ? Object.entries(n.revisions).map(([i, r]) => i + ' ' + r).join(', ') : 'did not answer'),
        el('td', {}, n.differs ? 'differs from this node' : '')))) : null,
    el('h2', {}, 'Integrations'),
    el('table', { id: 'revisions' },
      el('tr', {}, ['Integration', 'Revision', 'Still loaded', 'Source', 'Steps', 'Mapping versions', 'Targets'].map(h => el('th', {}, h))),
      integrations.items.map(i => el('tr', {}, el('td', {}, i.name), el('td', {}, el('code', {}, i.revision)),
        el('td', {}, i.loadedRevisions.join(', ')), el('td', {}, i.source), el('td', {}, i.steps.join(' → ')),
        el('td', {}, i.mappingVersions.join(', ')), el('td', {}, i.targets.join(', '))))),
    canOperate() ? el('p', {}, el('button', { id: 'reload', onclick: reload }, 'Reload the configuration file'),
      ' applies it whole, or refuses it whole and lists every problem.') : null,
    result,
    el('h2', {}, 'The configuration file ', el('span', { class: 'muted' }, '(secrets redacted)')),
    el('pre', { id: 'configuration-text' }, text)));
}
