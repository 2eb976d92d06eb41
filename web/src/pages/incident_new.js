// A new incident: the cameras that saw it, picked by a tap on the map or
// found by id or name; its time window in the zone; what it was, how it
// was handled, its case reference, suspects and a note
// (POST /api/v1/incidents). An error is shown beside the field the API
// names.
import '../css/app.css';
import '../css/evidence.css';
import L from 'leaflet';
import { api } from '../lib/api.js';
import { t } from '../lib/boot.js';
import { $, h, replace } from '../lib/dom.js';
import { detailFields, detailValues, showFieldError } from '../lib/evidence.js';
import { fromLocalInput, localInput } from '../lib/format.js';
import { createMap } from '../lib/mapbase.js';
import { attachSearch } from '../lib/search.js';
import { startShell } from '../lib/shell.js';

startShell();

const form = $('#incident-form');
const submit = form.querySelector('button[type=submit]');
replace($('#details'), detailFields({}));

// The window defaults to the last hour, to the minute.
const now = new Date();
now.setSeconds(0, 0);
form.start.value = localInput(new Date(now.getTime() - 3600 * 1000));
form.end.value = localInput(now);

// picked: camera id → {id, name, commune, lat, lon, marker}, in the
// order they were picked (the first camera gives the incident its place
// and commune).
const picked = new Map();
const { map, layer } = await createMap($('#pick-map'));
window.matthanMap = { map, layer };
const marks = L.layerGroup().addTo(map);

function render() {
  $('#camera_ids').value = [...picked.keys()].join(',');
  replace($('#picked'), picked.size
    ? [...picked.values()].map((c, i) => h('li', { dataset: { id: c.id } },
      h('span', { class: 'pick-n' }, String(i + 1)),
      h('span', { class: 'pick-name' }, h('strong', null, c.id), c.name ? ' · ' + c.name : '', c.commune ? h('span', { class: 'muted' }, ' · ' + c.commune) : null),
      h('button', { type: 'button', class: 'pick-remove', 'aria-label': t('evidence.new.remove', { id: c.id }), onclick: () => toggle(c.id) }, '×')))
    : h('li', { class: 'muted empty' }, t('evidence.new.nocamera')));
  marks.clearLayers();
  for (const c of picked.values()) {
    if (c.lat === undefined) continue;
    L.circleMarker([c.lat, c.lon], { radius: 11, color: '#e8a33c', weight: 4, fill: false, interactive: false }).addTo(marks);
  }
}

async function toggle(id, known) {
  if (picked.has(id)) {
    picked.delete(id);
    render();
    return;
  }
  picked.set(id, known || { id });
  render();
  if (!known) {
    try {
      const c = await api(`cameras/${encodeURIComponent(id)}`);
      if (picked.has(id)) picked.set(id, { id, name: c.name, commune: c.commune, lat: c.lat, lon: c.lon });
      render();
    } catch {
      /* the id stays; the API names it if it is wrong */
    }
  }
}

map.on('click', (ev) => {
  const hit = layer.hit(ev.latlng);
  if (!hit) return;
  if (hit.kind === 'camera') toggle(hit.props.id);
  else if (hit.kind === 'cluster') map.setView(ev.latlng, Math.min(map.getZoom() + 3, 16));
});

attachSearch($('#search'), $('#search-results'), {
  onCamera(c) {
    map.setView([c.lat, c.lon], 17);
    if (!picked.has(c.id)) toggle(c.id, { id: c.id, name: c.name, commune: c.commune, lat: c.lat, lon: c.lon });
    $('#search').value = '';
  },
  onCommune(c) {
    const [minLon, minLat, maxLon, maxLat] = c.bbox;
    map.fitBounds([[minLat, minLon], [maxLat, maxLon]], { padding: [16, 16], maxZoom: 16 });
  },
});

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  showFieldError(form, null);
  const body = {
    camera_ids: [...picked.keys()],
    start: fromLocalInput(form.start.value),
    end: fromLocalInput(form.end.value),
    ...detailValues(form),
  };
  // What the API would refuse anyway, said before the request.
  if (!body.camera_ids.length) return showFieldError(form, { message: t('evidence.new.needcamera'), field: 'camera_ids' });
  if (!body.start) return showFieldError(form, { message: t('evidence.new.needtime'), field: 'start' });
  if (!body.end) return showFieldError(form, { message: t('evidence.new.needtime'), field: 'end' });
  submit.disabled = true;
  try {
    const created = await api('incidents', { method: 'POST', body });
    location.assign(`/incidents/${encodeURIComponent(created.id)}?created=1`);
    return;
  } catch (err) {
    showFieldError(form, err);
  }
  submit.disabled = false;
});

render();
