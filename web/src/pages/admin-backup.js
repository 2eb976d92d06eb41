// Sao lưu: a hot copy of the whole database, downloaded with the
// session (a plain link: the browser sends the cookie and saves the
// stream as it comes), and when the last ones were made — the audit log
// keeps every backup streamed to the end (backup.download), so this is
// known across restarts of the daemon.
import '../css/app.css';
import '../css/admin.css';
import { api } from '../lib/api.js';
import { t } from '../lib/boot.js';
import { $, h, replace } from '../lib/dom.js';
import { formatInt, formatTime } from '../lib/format.js';
import { loadError, ready, startShell } from '../lib/shell.js';

startShell();

// size reads "bytes: N" from a backup's audit entry.
function size(e) {
  const c = (e.changes || []).find((x) => x.startsWith('bytes: '));
  return c ? Number(c.slice(7)) : null;
}

function sizeText(n) {
  if (n === null || Number.isNaN(n)) return t('common.na');
  if (n >= 1 << 20) return t('admin.backup.mib', { n: (n / (1 << 20)).toFixed(1).replace('.', t('admin.decimal')) });
  return t('admin.backup.bytes', { n: formatInt(n) });
}

let lastSeq = 0;

async function load() {
  try {
    const page = await api('audit', { query: { action: 'backup.download', limit: 10 } });
    const last = page.items[0];
    lastSeq = last ? last.seq : 0;
    $('#last-backup').textContent = last
      ? t('admin.backup.last', { time: formatTime(last.at), who: last.actor.name, size: sizeText(size(last)) })
      : t('admin.backup.never');
    replace($('#backups'), page.items.length
      ? page.items.map((e) => h('li', { dataset: { seq: e.seq } },
        h('time', { datetime: e.at }, formatTime(e.at)), ' · ', e.actor.name, ' · ', sizeText(size(e)), ' · ', h('code', null, e.target)))
      : [h('li', { class: 'muted' }, t('admin.backup.none'))]);
    ready();
  } catch (err) {
    loadError(err);
  }
}

// While a download runs, the page looks every few seconds for it in the
// log: it is written there once the last byte has gone out.
let watch = 0;
$('#backup-download').addEventListener('click', () => {
  clearTimeout(watch);
  const before = lastSeq;
  const until = Date.now() + 30 * 60 * 1000;
  const look = async () => {
    await load();
    if (lastSeq === before && Date.now() < until) watch = setTimeout(look, 3000);
  };
  watch = setTimeout(look, 1000);
});
document.addEventListener('visibilitychange', () => {
  if (!document.hidden) load();
});
load();
