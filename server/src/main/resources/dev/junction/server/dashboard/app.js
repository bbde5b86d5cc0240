// The dashboard's shell: sign-in, calls to the admin API, problems shown as title and detail, and the router (#/page/arg?query).
import * as overview from './overview.js';
import * as deadLetters from './dead-letters.js';
import * as message from './message.js';
import * as configuration from './configuration.js';

const pages = { 'overview': overview, 'dead-letters': deadLetters, 'dead-letter': { render: deadLetters.renderOne }, 'message': message, 'configuration': configuration };
const TOKEN = 'junction-admin-token';
let stopPage = () => {};

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
  if (problem.status === 401) showSignIn();
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

function showSignIn() {
  stopPage();
  stopPage = () => {};
  session.name = session.role = null;
  document.getElementById('signin').hidden = false;
  document.getElementById('main').replaceChildren();
  document.getElementById('who').replaceChildren();
}

async function signIn(event) {
  event.preventDefault();
  sessionStorage.setItem(TOKEN, document.getElementById('token').value.trim());
  document.getElementById('token').value = '';
  await start();
}

function signOut() {
  sessionStorage.removeItem(TOKEN);
  showProblem(null);
  showSignIn();
}

/** Renders the current page again (after an action changed what it shows). */
export function refresh() {
  return route();
}

/** Renders the page the hash names (#/page/arg?query); each page returns a function that stops its polling. */
async function route() {
  stopPage();
  showProblem(null);
  const [path, query = ''] = location.hash.replace(/^#\/?/, '').split('?');
  const [name, ...rest] = path.split('/');
  const page = pages[name] ? name : 'overview';
  document.querySelectorAll('header nav a').forEach(a => a.classList.toggle('current', a.id === 'nav-' + page.replace(/^dead-letter$/, 'dead-letters')));
  const main = document.getElementById('main');
  main.replaceChildren();
  stopPage = (await pages[page].render(main, rest.map(decodeURIComponent), new URLSearchParams(query))) || (() => {});
}

/** Asks who we are: signed in (or loopback without tokens) renders the page, 401 asks for a token. */
async function start() {
  try {
    const me = await api('me');
    session.name = me.name;
    session.role = me.role;
  } catch (problem) {
    showProblem(problem);
    return;
  }
  document.getElementById('signin').hidden = true;
  const who = document.getElementById('who');
  who.replaceChildren(el('span', { id: 'who-name' }, `${session.name} (${session.role})`));
  if (sessionStorage.getItem(TOKEN)) who.append(el('button', { id: 'signout', onclick: signOut }, 'Sign out'));
  await route();
}

document.getElementById('signin').addEventListener('submit', signIn);
window.addEventListener('hashchange', () => { if (session.role) route(); });
start();
