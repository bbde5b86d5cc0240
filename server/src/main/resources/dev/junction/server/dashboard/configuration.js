// Configuration: each integration's current revision and the revisions still loaded, a reload of the configuration file
// (operators; a refused one lists every problem) and the file itself, secrets redacted.
import { api, el, showProblem, canOperate, refresh } from './app.js';

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
  main.append(el('div', {},
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
