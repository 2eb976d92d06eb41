// Cấu hình: the configuration the daemon runs with, read-only: every key
// of the config file with its value and where it was set (the default,
// a line of the file, an environment variable, a flag). The daemon
// leaves secrets out: it says only whether each is set, and shows URLs
// that may carry a credential as scheme://host/… only.
import '../css/app.css';
import '../css/admin.css';
import { api } from '../lib/api.js';
import { t } from '../lib/boot.js';
import { $, h, replace } from '../lib/dom.js';
import { loadError, ready, startShell } from '../lib/shell.js';

startShell();

// The sections of the config file, in the user's words; a section added
// later shows under its own name.
const sections = {
  '': t('admin.settings.s.general'),
  limits: t('admin.settings.s.limits'),
  http: t('admin.settings.s.http'),
  metrics: t('admin.settings.s.metrics'),
  poller: t('admin.settings.s.poller'),
  probe: t('admin.settings.s.probe'),
  clips: t('admin.settings.s.clips'),
  incidents: t('admin.settings.s.incidents'),
  console: t('admin.settings.s.console'),
  tls: t('admin.settings.s.tls'),
  layers: t('admin.settings.s.layers'),
};

// valueText writes a value: lists one item a line, maps "key: value",
// yes/no for switches, a dash for nothing.
function valueText(v) {
  if (v === true) return t('admin.settings.on');
  if (v === false) return t('admin.settings.off');
  if (v === null || v === undefined || v === '') return t('common.na');
  if (Array.isArray(v)) return v.length ? v.map(valueText).join('\n') : t('common.na');
  if (typeof v === 'object') {
    const keys = Object.keys(v).sort();
    return keys.length ? keys.map((k) => `${k}: ${valueText(v[k])}`).join('\n') : t('common.na');
  }
  return String(v);
}

function fromText(from) {
  return from === 'default' ? t('admin.settings.default') : from;
}

async function load() {
  try {
    const s = await api('settings');
    const groups = new Map();
    for (const it of s.settings) {
      const dot = it.key.indexOf('.');
      const sec = dot < 0 ? '' : it.key.slice(0, dot);
      if (!groups.has(sec)) groups.set(sec, []);
      groups.get(sec).push(it);
    }
    replace($('#settings'), [...groups].map(([sec, items]) => h('section', { class: 'settings-group', dataset: { section: sec } },
      h('h2', null, sections[sec] || sec),
      h('dl', { class: 'settings' }, items.map((it) => {
        const text = valueText(it.value);
        return h('div', { class: 'setting', dataset: { key: it.key } },
          h('dt', null, h('code', null, it.key)),
          h('dd', { class: 'value' }, text, it.redacted && text !== t('common.na') ? h('span', { class: 'muted redacted' }, ' ', t('admin.settings.redacted')) : null),
          h('dd', { class: 'from muted' }, t('admin.settings.from.at', { from: fromText(it.from) })));
      })))));
    replace($('#secrets'), s.secrets.map((x) => h('li', { dataset: { env: x.env, set: String(x.set) } },
      h('code', null, x.env), ' ', h('span', { class: 'pill ' + (x.set ? 'pill-on' : 'pill-off') }, x.set ? t('admin.settings.set') : t('admin.settings.unset')))));
    ready();
  } catch (err) {
    loadError(err);
  }
}

load();
