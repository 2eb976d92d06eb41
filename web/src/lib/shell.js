// What every signed-in page has: the menu button on phones, sign-out,
// and a line for messages.
import { api } from './api.js';
import { t } from './boot.js';
import { $ } from './dom.js';

export function startShell() {
  const toggle = $('[data-action=menu]');
  const nav = $('#nav');
  if (toggle && nav) {
    toggle.addEventListener('click', () => {
      const open = nav.classList.toggle('open');
      toggle.setAttribute('aria-expanded', String(open));
    });
  }
  const out = $('[data-action=signout]');
  if (out) {
    out.addEventListener('click', async () => {
      out.disabled = true;
      try {
        await api('session', { method: 'DELETE' });
      } catch {
        /* the session may have ended already: go to sign-in anyway */
      }
      location.assign('/login');
    });
  }
}

let flashTimer = 0;

// flash shows a short message at the top of the page; kind is "error"
// or "info".
export function flash(text, kind = 'info', ms = 6000) {
  const el = $('#flash');
  if (!el) return;
  el.textContent = text;
  el.className = 'flash flash-' + kind;
  el.hidden = false;
  clearTimeout(flashTimer);
  if (ms) flashTimer = setTimeout(() => (el.hidden = true), ms);
}

// loadError shows why data could not be loaded.
export function loadError(err) {
  if (err && err.status === 0) flash(t('error.network'), 'error', 0);
  else flash(t('error.load', { detail: err && err.message ? err.message : String(err) }), 'error', 0);
}

// clearFlash hides the message line (once the data loads again).
export function clearFlash() {
  const el = $('#flash');
  if (el) el.hidden = true;
}

// ready marks the page as showing its data (body[data-ready]): for the
// people who wait for it, a cue that nothing more is coming; for the
// browser tests, what they wait on.
export function ready() {
  // Milliseconds from the start of the navigation: the figure of the
  // console's first-load benchmark.
  document.body.dataset.readyMs = String(Math.round(performance.now()));
  document.body.dataset.ready = '1';
  document.body.removeAttribute('aria-busy');
}
