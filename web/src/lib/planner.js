// What the planners' pages share: the road-class checkboxes, the commune
// box (any spelling, with or without accents: the API matches it), the
// junction markers and the field-of-view sectors drawn over the map.
import L from 'leaflet';
import { api } from './api.js';
import { t } from './boot.js';
import { h, replace } from './dom.js';
import { roadText } from './format.js';

export const roadClasses = ['national', 'provincial', 'district', 'commune', 'urban', 'other'];

// The colours of the junctions on the daemon's map (mvt.js).
export const coveredColour = '#2166ac';
export const uncoveredColour = '#e4572e';
export const proposalColour = '#7b3294';

// roadChecks fills fieldset with a checkbox per road class, those of
// checked ticked, and returns a function giving the ticked ones.
export function roadChecks(fieldset, checked = []) {
  const boxes = roadClasses.map((rc) => h('input', { type: 'checkbox', name: 'road_class', value: rc, checked: checked.includes(rc) }));
  fieldset.append(h('div', { class: 'checks' }, roadClasses.map((rc, i) => h('label', { class: 'check' }, boxes[i], h('span', null, roadText(rc))))));
  return () => boxes.filter((b) => b.checked).map((b) => b.value);
}

// communeBox offers the communes whose name holds what is typed (GET
// /communes?q=, without accents) in the input's datalist.
export function communeBox(input, datalist) {
  let seq = 0;
  let timer = 0;
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const mine = ++seq;
      const q = input.value.trim();
      try {
        const res = await api('communes', { query: { q, limit: 20 } });
        if (mine !== seq) return;
        replace(datalist, res.items.map((c) => h('option', { value: c.name })));
      } catch {
        /* suggestions are a help, not a need */
      }
    }, 150);
  });
}

// junctionMarker is a junction drawn as the map draws it: filled blue
// when covered, a red ring when not.
export function junctionMarker(lat, lon, covered, radius = 6) {
  return L.circleMarker([lat, lon], {
    radius, weight: 3, color: covered ? '#ffffff' : uncoveredColour, fillColor: covered ? coveredColour : '#ffffff', fillOpacity: 1,
  });
}

// sector returns the outline of a field of view — the camera, then the
// arc from direction + fov/2 back to direction − fov/2 at range — as
// Leaflet lat/lngs, on the same sphere as the daemon (a whole circle for
// 360°).
export function sector(lat, lon, dirDeg, fovDeg, rangeM, segments = 32) {
  const R = 6371008.8;
  const rad = Math.PI / 180;
  const dest = (bearing) => {
    const d = rangeM / R;
    const p1 = lat * rad;
    const l1 = lon * rad;
    const b = bearing * rad;
    const p2 = Math.asin(Math.sin(p1) * Math.cos(d) + Math.cos(p1) * Math.sin(d) * Math.cos(b));
    const l2 = l1 + Math.atan2(Math.sin(b) * Math.sin(d) * Math.cos(p1), Math.cos(d) - Math.sin(p1) * Math.sin(p2));
    return [p2 / rad, l2 / rad];
  };
  const pts = [];
  if (fovDeg >= 360) {
    for (let i = 0; i < segments; i++) pts.push(dest((i * 360) / segments));
    return pts;
  }
  pts.push([lat, lon]);
  for (let i = 0; i <= segments; i++) pts.push(dest(dirDeg + fovDeg / 2 - (i * fovDeg) / segments));
  return pts;
}

// roadPill names a road class in a small label coloured by class.
export function roadPill(rc) {
  return h('span', { class: `road road-${rc}` }, roadText(rc));
}

// fetchAll follows next_cursor through every page of a GeoJSON list and
// returns all its features.
export async function fetchAllFeatures(path, query) {
  const out = [];
  let cursor = '';
  for (;;) {
    const fc = await api(path, { query: { ...query, limit: 1000, cursor } });
    out.push(...fc.features);
    if (!fc.next_cursor) return out;
    cursor = fc.next_cursor;
  }
}

// downloadLink points a link at an export of the API, with the query.
export function downloadHref(path, query) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return '/api/v1/' + path + (s ? '?' + s : '');
}

// fieldError says an API error beside the field it names, with a lead in
// the user's language; it returns whether a field took it.
export function fieldError(form, err) {
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  for (const el of form.querySelectorAll('.field-error')) el.remove();
  if (!err || !err.field) return false;
  const input = form.querySelector(`[name="${CSS.escape(err.field)}"]`);
  if (!input) return false;
  input.setAttribute('aria-invalid', 'true');
  const closed = input.closest('details');
  if (closed) closed.open = true;
  const msg = h('p', { class: 'field-error', role: 'alert' }, t('planner.error.field', { detail: err.message }));
  (input.closest('.field, fieldset') || input).append(msg);
  return true;
}

// foldLegend closes the map's legend: on a small map it would hide it.
export function foldLegend(map) {
  const legend = map.getContainer().querySelector('details.legend');
  if (legend) legend.open = false;
}
