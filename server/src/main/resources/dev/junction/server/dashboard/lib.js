// What every page of the dashboard uses: the caller, calls to the admin API, problems shown as title and detail, building
// elements. The shell (app.js) registers how to ask for a token and how to render the page again; pages never import it.

/** Where the admin token is kept (this tab only). */
export const TOKEN = 'junction-admin-token';

/** Set by the shell: ask for a token (after a 401), and render the current page again. */
export const shell = { signIn: () => {}, route: async () => {} };

/** The signed-in caller ({name, role}) once known. */
export const session = { name: null, role: null };

/** Whether the caller may replay and discard (operator or admin). */
export function canOperate() {
  return session.role === 'operator' || session.role === 'admin';
}

/** Thrown for an answer that is not 2xx: the problem's fields ({@code problems}: a refused configuration's list). */
export class Problem extends Error {
  constructor(status, title, detail, problems = []) {
    super(`${title}: ${detail}`);
    this.status = status;
    this.title = title;
    this.detail = detail;
    this.problems = problems;
  }
}

/** Calls the admin API at /api/v1/<path>; returns the JSON body (a text body as text) or throws a Problem. */
export async function api(path, options = {}) {
  const headers = { 'Accept': 'application/json' };
  const token = sessionStorage.getItem(TOKEN);
  if (token) headers['Authorization'] = 'Bearer ' + token;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch('/api/v1/' + path, {
      method: options.method || 'GET', headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  } catch (e) {
    throw new Problem(0, 'The server did not answer', String(e));
  }
  const text = await response.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch (e) { body = null; }
  if (!response.ok) {
    if (response.status === 401) sessionStorage.removeItem(TOKEN);
    throw new Problem(response.status, (body && body.title) || response.statusText || 'Error',
      (body && body.detail) || text || `HTTP ${response.status}`, (body && body.problems) || []);
  }
  return (response.headers.get('Content-Type') || '').includes('json') ? body : text;
}

/** Shows a problem (or clears it with null). */
export function showProblem(problem) {
  const box = document.getElementById('problem');
  if (!problem) { box.hidden = true; box.textContent = ''; return; }
  box.hidden = false;
  box.replaceChildren(el('strong', {}, problem.title || 'Error'), ' ', el('span', {}, problem.detail || String(problem)),
    problem.problems && problem.problems.length ? el('ul', {}, problem.problems.map(p => el('li', {}, p))) : null);
  if (problem.status === 401) shell.signIn();
}

/** Builds an element: el('td', {class: 'x'}, 'text', child). */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (value !== undefined && value !== null && value !== false) node.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child !== undefined && child !== null) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

/** "3 min ago" for an ISO instant; "never" for null. */
export function ago(iso) {
  if (!iso) return 'never';
  const seconds = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (seconds < 120) return `${seconds} s ago`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min ago`;
  return `${Math.round(seconds / 3600)} h ago`;
}

/** Renders the current page again (after an action changed what it shows). */
export function refresh() {
  return shell.route();
}
