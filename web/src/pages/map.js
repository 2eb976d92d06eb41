// Bản đồ: cameras coloured by state, their fields of view, junctions
// covered or not, commune boundaries; a search box; a tap on a camera
// opens its panel.
import '../css/app.css';
import { can } from '../lib/boot.js';
import { $ } from '../lib/dom.js';
import { createMap } from '../lib/mapbase.js';
import { showCamera } from '../lib/panel.js';
import { attachSearch } from '../lib/search.js';
import { startShell } from '../lib/shell.js';

startShell();

const panel = $('#panel');
const modeSel = $('#mode');
// Live coverage follows per-camera health, which fundraisers do not see.
if (!can('admin', 'police', 'planner')) modeSel.closest('label').hidden = true;

const { map, layer } = await createMap($('#map'), { mode: modeSel.value });
window.matthanMap = { map, layer };

modeSel.addEventListener('change', () => layer.setMode(modeSel.value));

function openCamera(id) {
  showCamera(panel, id);
}

map.on('click', (ev) => {
  const hit = layer.hit(ev.latlng);
  if (!hit) return;
  if (hit.kind === 'camera') openCamera(hit.props.id);
  else if (hit.kind === 'cluster') map.setView(ev.latlng, Math.min(map.getZoom() + 3, 16));
});

attachSearch($('#search'), $('#search-results'), {
  onCamera(c) {
    map.setView([c.lat, c.lon], 17);
    openCamera(c.id);
  },
  onCommune(c) {
    const [minLon, minLat, maxLon, maxLat] = c.bbox;
    map.fitBounds([[minLat, minLon], [maxLat, maxLon]], { padding: [16, 16], maxZoom: 16 });
  },
});

const params = new URLSearchParams(location.search);
if (params.get('camera')) {
  const lat = Number(params.get('lat'));
  const lon = Number(params.get('lon'));
  if (lat && lon) map.setView([lat, lon], 17);
  openCamera(params.get('camera'));
}
