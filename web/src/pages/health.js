// Sức khỏe: the cameras not up now, longest first, with the reason in
// plain words; it refreshes itself every 15 seconds. Below, the uptime
// of each commune over the last 30 days.
import '../css/app.css';
import { all, api } from '../lib/api.js';
import { t } from '../lib/boot.js';
import { $, h, replace } from '../lib/dom.js';
import { formatDuration, formatPercent, formatTime, reasonText } from '../lib/format.js';
import { statePill } from '../lib/panel.js';
import { clearFlash, loadError, ready, startShell } from '../lib/shell.js';

startShell();

const communeSel = $('#commune');
const refreshMs = 15000;
let timer = 0;

function sortLongestFirst(items) {
  // Oldest "since" first; cameras never probed (no since) last.
  return items.sort((a, b) => {
    const sa = a.since ? new Date(a.since).getTime() : Infinity;
    const sb = b.since ? new Date(b.since).getTime() : Infinity;
    return sa - sb || a.camera_id.localeCompare(b.camera_id);
  });
}

async function refresh() {
  clearTimeout(timer);
  const commune = communeSel.value;
  try {
    const [sum, items] = await Promise.all([
      api('health/summary'),
      all('health', { state: 'degraded,down,auth_failed,unknown', status: 'active', commune }),
    ]);
    const scope = commune ? sum.communes.find((c) => c.commune === commune) || sum.total : sum.total;
    $('#summary').textContent = t('health.summary', { up: scope.states.up || 0, all: scope.cameras });
    $('#updated').textContent = t('common.updated', { time: formatTime(new Date()) });
    if (communeSel.options.length === 1) {
      for (const c of sum.communes) communeSel.append(h('option', { value: c.commune }, c.commune));
    }
    const now = Date.now();
    sortLongestFirst(items);
    $('#count').textContent = items.length ? t('health.count', { n: items.length }) : t('health.allup');
    replace($('#notup'), items.map((it) => h('li', { dataset: { id: it.camera_id, state: it.state } },
      h('div', { class: 'top' }, statePill(it.state), it.since ? h('span', { class: 'for' }, formatDuration(now - new Date(it.since).getTime())) : null),
      h('p', { class: 'name' }, h('a', { href: `/cameras/${encodeURIComponent(it.camera_id)}` }, it.name || it.camera_id)),
      h('div', { class: 'where' }, `${it.camera_id} · ${it.commune || ''}`),
      h('p', { class: 'why' }, reasonText(it.reason)),
      h('p', { class: 'when' }, it.since ? t('common.since', { time: formatTime(it.since) }) : t('reason.never')))));
    clearFlash();
    ready();
  } catch (err) {
    loadError(err);
  }
  timer = setTimeout(refresh, refreshMs);
}

async function uptime() {
  try {
    const s = await api('reports/summary');
    const rows = [...s.communes].sort((a, b) => (a.uptime ?? -1) - (b.uptime ?? -1));
    replace($('#uptime tbody'), rows.map((r) => {
      const fill = h('span');
      fill.style.width = `${(r.uptime || 0) * 100}%`;
      return h('tr', null, h('th', { scope: 'row' }, r.commune), h('td', { class: 'barcell' }, h('div', { class: 'bar live' }, fill)), h('td', { class: 'num' }, formatPercent(r.uptime)));
    }));
  } catch (err) {
    loadError(err);
  }
}

communeSel.addEventListener('change', refresh);
document.addEventListener('visibilitychange', () => {
  if (!document.hidden) refresh();
});
refresh();
uptime();
