// The dashboard's shell: sign-in and the router (#/page/arg?query). What the pages share is in lib.js.
import { TOKEN, shell, session, api, el, showProblem } from './lib.js';
import * as overview from './overview.js';
import * as deadLetters from './dead-letters.js';
import * as message from './message.js';
import * as configuration from './configuration.js';
import * as runs from './runs.js';
import * as channels from './channels.js';

const pages = { 'overview': overview, 'dead-letters': deadLetters, 'dead-letter': { render: deadLetters.renderOne }, 'message': message, 'runs': runs, 'channels': channels, 'configuration': configuration };
let stopPage = () => {};

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

shell.signIn = showSignIn;
shell.route = route;
document.getElementById('signin').addEventListener('submit', signIn);
window.addEventListener('hashchange', () => { if (session.role) route(); });
start();
