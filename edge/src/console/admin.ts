// Browser code of the Admin panel: token kept in sessionStorage, enrol, paged list with search and
// the re-enrolment flag, delete behind a confirmation dialog.
export const adminScript = `
const TOKEN = 'edgeFace.adminToken';
const adminErr = $('#admin-error');
const note = (text) => { $('#admin-note').textContent = text; };
let cursors = [null];
let page = 0;

function tokenState() {
  const has = !!sessionStorage.getItem(TOKEN);
  $('#token-state').textContent = has ? 'A token is set for this tab.' : 'Enter the admin token to manage identities.';
  $('#admin-tools').hidden = !has;
}

$('#token-form').addEventListener('submit', (e) => {
  e.preventDefault();
  sessionStorage.setItem(TOKEN, $('#admin-token').value.trim());
  $('#admin-token').value = '';
  tokenState();
  loadPage(0);
});
$('#token-forget').addEventListener('click', () => { sessionStorage.removeItem(TOKEN); tokenState(); note(''); });

function setEnabled(button, on) { button.setAttribute('aria-disabled', String(!on)); }

function identityRow(x) {
  const status = x.needsReenrolment ? el('span', { class: 'stale' }, 'needs re-enrolment') : x.needsReenrolment === null ? 'unknown' : 'current';
  const del = el('button', { type: 'button', class: 'danger', 'aria-label': 'Delete ' + x.id, onclick: () => askDelete(x.id, del) }, 'Delete');
  const redo = x.needsReenrolment ? el('button', { type: 'button', class: 'secondary', 'aria-label': 'Re-enrol ' + x.id, onclick: () => {
    $('#enrol-id').value = x.id; $('#enrol-mode').value = 'replace'; $('#enrol-files').focus();
  } }, 'Re-enrol') : null;
  return el('tr', { 'data-id': x.id }, el('td', {}, x.id), el('td', {}, String(x.imageCount)), el('td', {}, x.modelVersion),
    el('td', {}, status), el('td', {}, new Date(x.updatedAt).toLocaleString()), el('td', {}, redo, redo && ' ', del));
}

function showRows(items, serving, info) {
  const onlyStale = $('#only-stale').checked;
  const shown = onlyStale ? items.filter((x) => x.needsReenrolment) : items;
  $('#identities').replaceChildren(...(shown.length ? shown.map(identityRow) : [el('tr', {}, el('td', { colspan: '6' }, items.length ? 'None on this page needs re-enrolment.' : 'No identities.'))]));
  const stale = items.filter((x) => x.needsReenrolment).length;
  $('#stale-info').textContent = stale
    ? stale + (stale === 1 ? ' identity here was' : ' identities here were') + ' enrolled with another model version and need' + (stale === 1 ? 's' : '') + ' re-enrolment (serving ' + serving + ').'
    : 'Serving model ' + (serving || 'unknown') + '; no identity shown needs re-enrolment.';
  $('#page-info').textContent = info;
}

let lastItems = [], lastServing = null, lastInfo = '';
async function loadPage(i) {
  await run($('#search-form'), adminErr, async () => {
    const limit = $('#page-size').value;
    const q = '?limit=' + limit + (cursors[i] ? '&cursor=' + encodeURIComponent(cursors[i]) : '');
    const r = await api('/admin/identities' + q, { admin: true });
    page = i;
    cursors = cursors.slice(0, i + 1);
    if (r.cursor) cursors.push(r.cursor);
    lastItems = r.identities; lastServing = r.modelVersion;
    lastInfo = 'Page ' + (i + 1) + ': ' + r.identities.length + (r.identities.length === 1 ? ' identity' : ' identities') + (r.cursor ? ', more on the next page' : '');
    showRows(lastItems, lastServing, lastInfo);
    setEnabled($('#prev'), i > 0);
    setEnabled($('#next'), !!r.cursor);
  });
}

$('#prev').addEventListener('click', (e) => { if (e.target.getAttribute('aria-disabled') !== 'true') loadPage(page - 1); });
$('#next').addEventListener('click', (e) => { if (e.target.getAttribute('aria-disabled') !== 'true') loadPage(page + 1); });
$('#page-size').addEventListener('change', () => { cursors = [null]; loadPage(0); });
$('#only-stale').addEventListener('change', () => showRows(lastItems, lastServing, lastInfo));
$('#show-all').addEventListener('click', () => { $('#search-id').value = ''; loadPage(0); });
$('#search-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const id = $('#search-id').value.trim();
  if (!id) { loadPage(0); return; }
  run(e.target, adminErr, async () => {
    const x = await api('/admin/identities/' + encodeURIComponent(id), { admin: true });
    lastItems = [x]; lastInfo = 'Search result for "' + id + '"';
    showRows(lastItems, lastServing, lastInfo);
    setEnabled($('#prev'), false); setEnabled($('#next'), false);
  });
});

$('#enrol-form').addEventListener('submit', (e) => {
  e.preventDefault();
  note('');
  run(e.target, adminErr, async () => {
    const id = $('#enrol-id').value.trim();
    const files = [...$('#enrol-files').files];
    const add = $('#enrol-mode').value === 'add';
    const body = new FormData();
    files.forEach((f) => body.append('image', f));
    note('Enrolling ' + id + '…');
    try {
      const r = await api('/admin/identities/' + encodeURIComponent(id) + (add ? '/images' : ''), { method: add ? 'POST' : 'PUT', body, admin: true });
      note('Enrolled ' + r.id + ' from ' + files.length + (files.length === 1 ? ' photo' : ' photos') + ' (' + r.imageCount + ' stored, model ' + r.modelVersion + ').');
    } catch (err) { note(''); throw err; }
    e.target.reset();
    $('#enrol-files-preview').replaceChildren();
    await loadPage(0);
  });
});

const dialog = $('#confirm-delete');
let pending = null, returnTo = null;
function askDelete(id, from) {
  pending = id; returnTo = from;
  $('#confirm-id').textContent = id;
  dialog.returnValue = '';
  dialog.showModal();
}
dialog.addEventListener('close', async () => {
  const id = pending;
  pending = null;
  if (dialog.returnValue !== 'delete' || !id) { if (returnTo) returnTo.focus(); return; }
  note('');
  say(adminErr, null);
  try {
    await api('/admin/identities/' + encodeURIComponent(id), { method: 'DELETE', admin: true });
    note('Deleted ' + id + '.');
  } catch (err) { say(adminErr, err); }
  await loadPage(page);
  $('#list-h').focus();
});

tokenState();
if (sessionStorage.getItem(TOKEN)) loadPage(0);
`;
