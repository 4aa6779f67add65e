// Browser code of the "Try it" panel: verify two photos, identify one, with the API key of the tab.
export const tryScript = `
const keyInput = $('#api-key');
keyInput.value = sessionStorage.getItem('edgeFace.apiKey') || '';
keyInput.addEventListener('change', () => {
  const v = keyInput.value.trim();
  if (v) sessionStorage.setItem('edgeFace.apiKey', v); else sessionStorage.removeItem('edgeFace.apiKey');
});

$('#verify-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const out = $('#verify-result');
  out.replaceChildren();
  run(e.target, $('#verify-error'), async () => {
    const body = new FormData();
    body.append('a', $('#verify-a').files[0]);
    body.append('b', $('#verify-b').files[0]);
    out.append(el('p', { class: 'muted' }, 'Comparing…'));
    try {
      const r = await api('/v1/verify', { method: 'POST', body });
      out.replaceChildren(
        el('p', { class: 'verdict ' + (r.match ? 'yes' : 'no'), id: 'verify-verdict' }, r.match ? 'Same person' : 'Not the same person'),
        scoreBar(r.similarity, r.threshold, 'A against B'),
        el('p', {}, 'Similarity ' + fmt(r.similarity) + (r.match ? ' is above' : ' is not above') + ' the threshold ' + fmt(r.threshold) + ' (bar: −1 to 1, black mark = threshold). Model ' + r.modelVersion + '.'));
    } catch (err) { out.replaceChildren(); throw err; }
  });
});

$('#identify-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const out = $('#identify-result');
  out.replaceChildren();
  run(e.target, $('#identify-error'), async () => {
    const body = new FormData();
    body.append('image', $('#identify-image').files[0]);
    body.append('topK', $('#identify-topk').value || '5');
    const r = await api('/v1/identify', { method: 'POST', body });
    const verdict = r.match ? 'Best match: ' + r.match.id : r.candidates.length ? 'No enrolled identity clears the threshold' : 'The gallery is empty: enrol people in Admin first';
    const rows = r.candidates.map((c, i) => el('tr', {},
      el('td', {}, String(i + 1)), el('td', {}, c.id), el('td', {}, scoreBar(c.similarity, r.threshold, c.id)),
      el('td', {}, fmt(c.similarity)), el('td', {}, c.match ? 'above threshold' : 'below')));
    out.append(el('p', { class: 'verdict ' + (r.match ? 'yes' : 'no'), id: 'identify-verdict' }, verdict));
    if (rows.length) out.append(el('table', { id: 'candidates' },
      el('caption', { class: 'muted' }, 'Top ' + rows.length + ' of ' + r.gallery.identities + ' enrolled identities; threshold ' + fmt(r.threshold) + ', model ' + r.modelVersion),
      el('thead', {}, el('tr', {}, ...['#', 'Identity', 'Similarity (−1 to 1)', 'Value', 'Decision'].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, ...rows)));
  });
});
`;
