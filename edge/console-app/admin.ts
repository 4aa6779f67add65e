// The Admin panel: token kept in sessionStorage, enrol (each photo's face drawn; a group photo is
// explained and can be resent with face=largest), paged list with search and the re-enrolment
// flag, delete behind a confirmation dialog.
import { $, ADMIN_TOKEN, type ApiFailure, api, el, run, say } from './core';
import { previewsOf, showFaceProblem, showFaces } from './faces';
import type { Enrolled, Identity, IdentityList } from './types';

export function wireAdmin() {
  const adminErr = $('#admin-error');
  const note = (text: string) => {
    $('#admin-note').textContent = text;
  };
  let cursors: (string | null)[] = [null];
  let page = 0;

  function tokenState() {
    const has = !!sessionStorage.getItem(ADMIN_TOKEN);
    $('#token-state').textContent = has ? 'A token is set for this tab.' : 'Enter the admin token to manage identities.';
    $('#admin-tools').hidden = !has;
  }

  $('#token-form').addEventListener('submit', (e) => {
    e.preventDefault();
    sessionStorage.setItem(ADMIN_TOKEN, $<HTMLInputElement>('#admin-token').value.trim());
    $<HTMLInputElement>('#admin-token').value = '';
    tokenState();
    void loadPage(0);
  });
  $('#token-forget').addEventListener('click', () => {
    sessionStorage.removeItem(ADMIN_TOKEN);
    tokenState();
    note('');
  });

  const setEnabled = (button: HTMLElement, on: boolean) => button.setAttribute('aria-disabled', String(!on));

  function identityRow(x: Identity) {
    const status = x.needsReenrolment ? el('span', { class: 'stale' }, 'needs re-enrolment') : x.needsReenrolment === null ? 'unknown' : 'current';
    const del: HTMLButtonElement = el('button', { type: 'button', class: 'danger', 'aria-label': `Delete ${x.id}`, onclick: () => askDelete(x.id, del) }, 'Delete');
    const redo = x.needsReenrolment
      ? el('button', {
          type: 'button', class: 'secondary', 'aria-label': `Re-enrol ${x.id}`,
          onclick: () => {
            $<HTMLInputElement>('#enrol-id').value = x.id;
            $<HTMLSelectElement>('#enrol-mode').value = 'replace';
            $('#enrol-files').focus();
          },
        }, 'Re-enrol')
      : null;
    return el('tr', { 'data-id': x.id },
      el('td', {}, x.id), el('td', {}, String(x.imageCount)), el('td', {}, x.modelVersion),
      el('td', {}, status), el('td', {}, new Date(x.updatedAt).toLocaleString()), el('td', {}, redo, redo && ' ', del));
  }

  let lastItems: Identity[] = [];
  let lastServing: string | null = null;
  let lastInfo = '';

  function showRows() {
    const items = lastItems;
    const onlyStale = $<HTMLInputElement>('#only-stale').checked;
    const shown = onlyStale ? items.filter((x) => x.needsReenrolment) : items;
    $('#identities').replaceChildren(
      ...(shown.length ? shown.map(identityRow) : [el('tr', {}, el('td', { colspan: '6' }, items.length ? 'None on this page needs re-enrolment.' : 'No identities.'))]),
    );
    const stale = items.filter((x) => x.needsReenrolment).length;
    $('#stale-info').textContent = stale
      ? `${stale}${stale === 1 ? ' identity here was' : ' identities here were'} enrolled with another model version and need${stale === 1 ? 's' : ''} re-enrolment (serving ${lastServing}).`
      : `Serving model ${lastServing || 'unknown'}; no identity shown needs re-enrolment.`;
    $('#page-info').textContent = lastInfo;
  }

  async function loadPage(i: number) {
    await run($('#search-form'), adminErr, async () => {
      const limit = $<HTMLInputElement>('#page-size').value;
      const q = `?limit=${limit}${cursors[i] ? `&cursor=${encodeURIComponent(cursors[i]!)}` : ''}`;
      const r = await api<IdentityList>(`/admin/identities${q}`, { admin: true });
      page = i;
      cursors = cursors.slice(0, i + 1);
      if (r.cursor) cursors.push(r.cursor);
      lastItems = r.identities;
      lastServing = r.modelVersion;
      lastInfo = `Page ${i + 1}: ${r.identities.length}${r.identities.length === 1 ? ' identity' : ' identities'}${r.cursor ? ', more on the next page' : ''}`;
      showRows();
      setEnabled($('#prev'), i > 0);
      setEnabled($('#next'), !!r.cursor);
    });
  }

  const pager = (delta: number) => (e: Event) => {
    if ((e.target as HTMLElement).getAttribute('aria-disabled') !== 'true') void loadPage(page + delta);
  };
  $('#prev').addEventListener('click', pager(-1));
  $('#next').addEventListener('click', pager(1));
  $('#page-size').addEventListener('change', () => {
    cursors = [null];
    void loadPage(0);
  });
  $('#only-stale').addEventListener('change', showRows);
  $('#show-all').addEventListener('click', () => {
    $<HTMLInputElement>('#search-id').value = '';
    void loadPage(0);
  });
  $('#search-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const id = $<HTMLInputElement>('#search-id').value.trim();
    if (!id) {
      void loadPage(0);
      return;
    }
    void run(e.target as HTMLElement, adminErr, async () => {
      const x = await api<Identity>(`/admin/identities/${encodeURIComponent(id)}`, { admin: true });
      lastItems = [x];
      lastInfo = `Search result for "${id}"`;
      showRows();
      setEnabled($('#prev'), false);
      setEnabled($('#next'), false);
    });
  });

  // Enrolment. A group photo is refused (multiple_faces) unless face=largest: the offer resends the
  // same photos with it.
  const offer = $('#enrol-offer');
  const hideOffer = () => {
    offer.hidden = true;
  };
  $('#enrol-files').addEventListener('change', hideOffer);
  $('#enrol-id').addEventListener('input', hideOffer);

  async function enrol(largest: boolean) {
    const form = $<HTMLFormElement>('#enrol-form');
    if (form.getAttribute('aria-busy') === 'true') return;
    note('');
    hideOffer();
    let enrolled = false;
    await run(form, adminErr, async () => {
      const id = $<HTMLInputElement>('#enrol-id').value.trim();
      const files = [...($<HTMLInputElement>('#enrol-files').files ?? [])];
      const add = $<HTMLSelectElement>('#enrol-mode').value === 'add';
      const views = previewsOf('enrol-files');
      for (const v of await views) v.reset();
      const body = new FormData();
      for (const f of files) body.append('image', f);
      if (largest) body.append('face', 'largest');
      note(`Enrolling ${id}…`);
      let r: Enrolled;
      try {
        r = await api<Enrolled>(`/admin/identities/${encodeURIComponent(id)}${add ? '/images' : ''}`, { method: add ? 'POST' : 'PUT', body, admin: true });
      } catch (err) {
        note('');
        await showFaceProblem(err, async (field) => {
          const m = /^images\[(\d+)\]$/.exec(field);
          return m ? (await views)[Number(m[1])] : undefined;
        });
        if ((err as ApiFailure).code === 'multiple_faces' && !largest) {
          offer.hidden = false;
          $('#enrol-largest').focus();
        }
        throw err;
      }
      // Keep the photos on screen with the face each one gave; the form is cleared for the next person.
      const shown = await views;
      await showFaces((r.faces ?? []).map((f, i) => [Promise.resolve(shown), i, f]));
      form.reset();
      // Said last: once it shows, the form takes the next enrolment.
      note(`Enrolled ${r.id} from ${files.length}${files.length === 1 ? ' photo' : ' photos'} (${r.imageCount} stored, model ${r.modelVersion})${largest ? ', using the largest face of each' : ''}.`);
      enrolled = true;
    });
    if (enrolled) await loadPage(0);
  }

  $('#enrol-form').addEventListener('submit', (e) => {
    e.preventDefault();
    void enrol(false);
  });
  $('#enrol-largest').addEventListener('click', () => void enrol(true));

  const dialog = $<HTMLDialogElement>('#confirm-delete');
  let pending: string | null = null;
  let returnTo: HTMLElement | null = null;
  function askDelete(id: string, from: HTMLElement) {
    pending = id;
    returnTo = from;
    $('#confirm-id').textContent = id;
    dialog.returnValue = '';
    dialog.showModal();
  }
  dialog.addEventListener('close', async () => {
    const id = pending;
    pending = null;
    if (dialog.returnValue !== 'delete' || !id) {
      returnTo?.focus();
      return;
    }
    note('');
    say(adminErr, null);
    try {
      await api(`/admin/identities/${encodeURIComponent(id)}`, { method: 'DELETE', admin: true });
      note(`Deleted ${id}.`);
    } catch (err) {
      say(adminErr, err);
    }
    await loadPage(page);
    $('#list-h').focus();
  });

  tokenState();
  if (sessionStorage.getItem(ADMIN_TOKEN)) void loadPage(0);
}
