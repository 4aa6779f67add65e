// The "Try it" panel: verify two photos, identify one, with the tab's API key; each answer's face is
// drawn on its photo with the crop the model saw, and face errors are drawn on the photo concerned.
import { $, API_KEY, api, el, fmt, run, scoreBar } from './core';
import { type PhotoView, previewsOf, showFaceProblem, showFaces } from './faces';
import { offerOperatingPoints, withOperatingPoints } from './options';
import type { IdentifyAnswer, VerifyAnswer } from './types';

const resetAll = async (views: Promise<PhotoView[]>[]) => {
  for (const v of await Promise.all(views)) for (const x of v) x.reset();
};

export function wireTry() {
  const keyInput = $<HTMLInputElement>('#api-key');
  keyInput.value = sessionStorage.getItem(API_KEY) || '';
  keyInput.addEventListener('change', () => {
    const v = keyInput.value.trim();
    if (v) sessionStorage.setItem(API_KEY, v);
    else sessionStorage.removeItem(API_KEY);
  });

  const verifyOptions = offerOperatingPoints('/v1/verify', $('#verify-options'), 'verify');
  const identifyOptions = offerOperatingPoints('/v1/identify', $('#identify-options'), 'identify');

  $('#verify-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const out = $('#verify-result');
    out.replaceChildren();
    const views = { a: previewsOf('verify-a'), b: previewsOf('verify-b') };
    run(form, $('#verify-error'), async () => {
      const body = new FormData();
      body.append('a', $<HTMLInputElement>('#verify-a').files![0]);
      body.append('b', $<HTMLInputElement>('#verify-b').files![0]);
      const path = withOperatingPoints('/v1/verify', body, await verifyOptions);
      await resetAll([views.a, views.b]);
      out.append(el('p', { class: 'muted' }, 'Comparing…'));
      let r: VerifyAnswer;
      try {
        r = await api<VerifyAnswer>(path, { method: 'POST', body });
      } catch (err) {
        out.replaceChildren();
        await showFaceProblem(err, async (field) => (field === 'a' || field === 'b' ? (await views[field])[0] : undefined));
        throw err;
      }
      out.replaceChildren(
        el('p', { class: `verdict ${r.match ? 'yes' : 'no'}`, id: 'verify-verdict' }, r.match ? 'Same person' : 'Not the same person'),
        scoreBar(r.similarity, r.threshold, 'A against B'),
        el('p', {}, `Similarity ${fmt(r.similarity)}${r.match ? ' is above' : ' is not above'} the threshold ${fmt(r.threshold)} (bar: −1 to 1, black mark = threshold). Model ${r.modelVersion}.`),
      );
      await showFaces([[views.a, 0, r.faces?.a], [views.b, 0, r.faces?.b]]);
    });
  });

  $('#identify-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const out = $('#identify-result');
    out.replaceChildren();
    const views = previewsOf('identify-image');
    run(form, $('#identify-error'), async () => {
      const body = new FormData();
      body.append('image', $<HTMLInputElement>('#identify-image').files![0]);
      body.append('topK', $<HTMLInputElement>('#identify-topk').value || '5');
      const path = withOperatingPoints('/v1/identify', body, await identifyOptions);
      await resetAll([views]);
      let r: IdentifyAnswer;
      try {
        r = await api<IdentifyAnswer>(path, { method: 'POST', body });
      } catch (err) {
        await showFaceProblem(err, async (field) => (field === 'image' ? (await views)[0] : undefined));
        throw err;
      }
      // Keys without the identify:candidates scope get the decision only.
      const candidates = r.candidates ?? [];
      const verdict = r.match
        ? `Best match: ${r.match.id}`
        : !r.candidates ? 'No enrolled identity clears the threshold (this key is not shown candidates)'
        : candidates.length ? 'No enrolled identity clears the threshold' : 'The gallery is empty: enrol people in Admin first';
      const rows = candidates.map((c, i) =>
        el('tr', {}, el('td', {}, String(i + 1)), el('td', {}, c.id), el('td', {}, scoreBar(c.similarity, r.threshold, c.id)), el('td', {}, fmt(c.similarity)), el('td', {}, c.match ? 'above threshold' : 'below')),
      );
      out.append(el('p', { class: `verdict ${r.match ? 'yes' : 'no'}`, id: 'identify-verdict' }, verdict));
      if (rows.length)
        out.append(
          el('table', { id: 'candidates' },
            el('caption', { class: 'muted' }, `Top ${rows.length} of ${r.gallery.identities} enrolled identities; threshold ${fmt(r.threshold)}, model ${r.modelVersion}`),
            el('thead', {}, el('tr', {}, ...['#', 'Identity', 'Similarity (−1 to 1)', 'Value', 'Decision'].map((h) => el('th', { scope: 'col' }, h)))),
            el('tbody', {}, ...rows)),
        );
      await showFaces([[views, 0, r.face]]);
    });
  });
}
