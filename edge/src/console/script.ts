// The console's browser code: shared helpers (API calls with the tab's key/token, error messages,
// the crop preview from the manifest's preprocessing spec) followed by one part per panel.
// The crop rule is the shared contract's own cropBox, serialised, so page and model cannot drift.
import { cropBox } from '../../../models/contract/preprocess';
import { adminScript } from './admin';
import { ERROR_MESSAGES } from './messages';
import { modelScript } from './model';
import { tryScript } from './try';

const core = `
const MESSAGES = ${JSON.stringify(ERROR_MESSAGES)};
const cropBox = ${cropBox.toString()};
const $ = (sel) => document.querySelector(sel);
const fmt = (v, d = 3) => (typeof v === 'number' ? v.toFixed(d) : String(v));

function el(tag, props, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k === 'class') e.className = v;
    else e.setAttribute(k, v);
  }
  for (const kid of kids) if (kid != null) e.append(kid);
  return e;
}

class ApiFailure extends Error {
  constructor(code, message, status) { super(message); this.code = code; this.status = status; }
}

async function api(path, opts = {}) {
  const secret = sessionStorage.getItem(opts.admin ? 'edgeFace.adminToken' : 'edgeFace.apiKey');
  const headers = secret ? { authorization: 'Bearer ' + secret } : {};
  let res;
  try { res = await fetch(path, { method: opts.method || 'GET', body: opts.body, headers }); }
  catch (e) { throw new ApiFailure('network', e.message); }
  const data = await res.json().catch(() => null);
  if (res.ok && data) return data;
  const err = (data && data.error) || {};
  throw new ApiFailure(err.code || 'internal_error', err.message || 'HTTP ' + res.status + ' without a JSON body', res.status);
}

function explain(e) {
  if (!(e instanceof ApiFailure)) return 'The page hit an unexpected problem: ' + (e && e.message ? e.message : e);
  if (e.code === 'network') return 'Could not reach the server (' + e.message + ').';
  const human = MESSAGES[e.code] || 'The server refused the request.';
  return human + ' Server said: "' + e.message + '" [' + e.code + ', HTTP ' + e.status + ']';
}

function say(box, e) {
  box.textContent = e ? explain(e) : '';
  box.hidden = !e;
}

async function run(form, errBox, fn) {
  if (form.getAttribute('aria-busy') === 'true') return;
  form.setAttribute('aria-busy', 'true');
  say(errBox, null);
  try { await fn(); } catch (e) { say(errBox, e); } finally { form.removeAttribute('aria-busy'); }
}

function scoreBar(similarity, threshold, label) {
  const pos = (v) => Math.max(0, Math.min(100, (v + 1) * 50)) + '%';
  const bar = el('div', { class: 'bar', role: 'img', 'aria-label': label + ': similarity ' + fmt(similarity) + ', threshold ' + fmt(threshold) });
  const fill = el('span', { class: 'fill ' + (similarity > threshold ? 'yes' : 'no') });
  const mark = el('span', { class: 'mark', title: 'threshold ' + fmt(threshold) });
  fill.style.width = pos(similarity);
  mark.style.left = pos(threshold);
  bar.append(fill, mark);
  return bar;
}

let model = null;
const modelReady = api('/v1/model').then((m) => (model = m), (e) => { say($('#model-error'), e); return null; });

async function cropFigure(file) {
  const fig = el('figure', {});
  let bmp;
  try { bmp = await createImageBitmap(file); }
  catch { fig.append(el('figcaption', {}, file.name + ': the browser cannot show this file as a picture; the server will say why if it refuses it.')); return fig; }
  const m = await modelReady;
  const spec = m && m.preprocess;
  const b = spec ? cropBox({ width: bmp.width, height: bmp.height }, spec) : { x: 0, y: 0, w: bmp.width, h: bmp.height };
  const scale = 150 / Math.max(bmp.width, bmp.height);
  const thumb = el('canvas', { width: Math.round(bmp.width * scale), height: Math.round(bmp.height * scale), 'aria-hidden': 'true' });
  const t = thumb.getContext('2d');
  t.drawImage(bmp, 0, 0, thumb.width, thumb.height);
  t.strokeStyle = '#ff2d95'; t.lineWidth = 2;
  t.strokeRect(b.x * scale, b.y * scale, b.w * scale, b.h * scale);
  const size = spec ? spec.size : 299;
  const crop = el('canvas', { class: 'crop', width: size, height: size, role: 'img', 'aria-label': 'what the model sees of ' + file.name });
  const c = crop.getContext('2d');
  c.imageSmoothingQuality = 'high';
  c.drawImage(bmp, b.x, b.y, b.w, b.h, 0, 0, size, size);
  const what = spec ? 'the outlined box (' + Math.round(spec.crop.w * 100) + '% × ' + Math.round(spec.crop.h * 100) + '% of the photo, from the model manifest) resized to ' + size + '×' + size : 'the model spec could not be loaded';
  fig.append(thumb, crop, el('figcaption', {}, file.name + ' (' + bmp.width + '×' + bmp.height + ' px): the model sees ' + what + '. No face detector runs: a face outside the box is a likely miss.'));
  bmp.close();
  return fig;
}

async function showCrops(input) {
  const out = document.getElementById(input.id + '-preview');
  out.replaceChildren(...(await Promise.all([...input.files].map(cropFigure))));
}

for (const zone of document.querySelectorAll('.drop')) {
  const input = zone.querySelector('input[type=file]');
  input.addEventListener('change', () => showCrops(input));
  zone.addEventListener('dragover', (e) => { e.preventDefault(); zone.classList.add('over'); });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    const files = [...e.dataTransfer.files].slice(0, input.multiple ? undefined : 1);
    if (!files.length) return;
    const dt = new DataTransfer();
    files.forEach((f) => dt.items.add(f));
    input.files = dt.files;
    input.dispatchEvent(new Event('change', { bubbles: true }));
  });
}
addEventListener('dragover', (e) => e.preventDefault());
addEventListener('drop', (e) => e.preventDefault());

function showPanel() {
  const want = location.hash.slice(1);
  const name = ['try', 'admin', 'model'].includes(want) ? want : 'try';
  for (const p of document.querySelectorAll('[data-panel]')) p.hidden = p.id !== name;
  for (const a of document.querySelectorAll('[data-tab]')) a.setAttribute('aria-current', a.dataset.tab === name ? 'page' : 'false');
}
addEventListener('hashchange', showPanel);
showPanel();
`;

export const consoleScript = [core, tryScript, adminScript, modelScript].join('\n');
