// The console's markup: three panels (try it, admin, model) switched by the URL hash, plain forms
// with labels so that everything works from the keyboard. Behaviour is the browser module in
// edge/console-app/ (bundled into bundle.generated.ts); what it needs from the server comes as a JSON
// data block, which is not script, so the page's CSP allows only the bundle's own hash.
import { html, raw } from 'hono/html';
import { consoleScript } from './bundle.generated';
import type { ConsoleData } from './data';
import { consoleStyle } from './style';

/** JSON safe inside <script type="application/json">: no "<" can end the element or open a comment. */
export const dataBlock = (data: ConsoleData) => JSON.stringify(data).replace(/</g, '\\u003c');

const drop = (id: string, label: string, multiple = false) => html`
  <label class="drop" for="${id}">${label} <span class="hint">— drop ${multiple ? 'photos' : 'a photo'} here, or press Tab to the picker</span>
    <input id="${id}" type="file" accept="image/jpeg,image/png" required ${multiple ? raw('multiple') : ''}></label>
  <div class="previews" id="${id}-preview" aria-live="polite"></div>`;

const alert = (id: string) => html`<p class="error" id="${id}" role="alert" hidden></p>`;

export const consolePage = (data: ConsoleData) => html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>edge-face console</title><link rel="icon" href="data:,"><style>${raw(consoleStyle)}</style></head>
<body>
<header><h1>edge-face</h1>
  <nav aria-label="Console sections"><a href="#try" data-tab="try">Try it</a><a href="#admin" data-tab="admin">Admin</a><a href="#model" data-tab="model">Model</a></nav>
  <span class="muted" id="health-line" aria-live="polite">checking the server…</span></header>
<main>
<div id="try" data-panel>
  <section class="panel" aria-labelledby="key-h"><h2 id="key-h">API key</h2>
    <label for="api-key">API key <span class="hint">(kept in this tab only; not needed when the server runs with API keys off, as <code>npm start</code> does)</span></label><br>
    <input id="api-key" type="password" autocomplete="off" size="40"></section>
  <section class="panel" aria-labelledby="verify-h"><h2 id="verify-h">Verify: are two photos the same person?</h2>
    <form id="verify-form"><div class="row"><div>${drop('verify-a', 'Photo A')}</div><div>${drop('verify-b', 'Photo B')}</div></div>
      <p class="options" id="verify-options" hidden></p><button type="submit">Verify</button></form>
    ${alert('verify-error')}<div id="verify-result" aria-live="polite"></div></section>
  <section class="panel" aria-labelledby="identify-h"><h2 id="identify-h">Identify: who among the enrolled people is this?</h2>
    <form id="identify-form">${drop('identify-image', 'Photo')}
      <label for="identify-topk">Candidates to show</label> <input id="identify-topk" type="number" min="1" max="50" value="5">
      <p class="options" id="identify-options" hidden></p><button type="submit">Identify</button></form>
    ${alert('identify-error')}<div id="identify-result" aria-live="polite"></div></section>
</div>
<div id="admin" data-panel hidden>
  <section class="panel" aria-labelledby="token-h"><h2 id="token-h">Admin token</h2>
    <form id="token-form"><label for="admin-token">Admin token <span class="hint">(kept in this tab only)</span></label><br>
      <input id="admin-token" type="password" autocomplete="off" size="40" required> <button type="submit">Use token</button>
      <button type="button" class="secondary" id="token-forget">Forget token</button></form>
    <p id="token-state" class="muted" aria-live="polite"></p>${alert('admin-error')}<p class="note" id="admin-note" role="status"></p></section>
  <div id="admin-tools" hidden>
  <section class="panel" aria-labelledby="enrol-h"><h2 id="enrol-h">Enrol an identity</h2>
    <form id="enrol-form"><label for="enrol-id">Identity id</label> <input id="enrol-id" type="text" required maxlength="128" size="30">
      <label for="enrol-mode">Mode</label> <select id="enrol-mode"><option value="replace">replace earlier photos</option><option value="add">add to earlier photos</option></select>
      ${drop('enrol-files', 'Photos (1–10)', true)}<button type="submit">Enrol</button>
      <div id="enrol-offer" class="offer" hidden><p>Enrolment takes one face per photo, so a group photo is refused rather than risk
        enrolling the wrong person. If the person to enrol is the largest face in each photo, the photos can be sent again using only that face.</p>
        <button type="button" id="enrol-largest">Use the largest face</button></div></form></section>
  <section class="panel" aria-labelledby="list-h"><h2 id="list-h" tabindex="-1">Identities</h2>
    <form id="search-form" class="row"><div><label for="search-id">Find by exact id</label> <input id="search-id" type="search" size="24">
      <button type="submit">Find</button> <button type="button" class="secondary" id="show-all">Show all</button></div>
      <div><label for="page-size">Per page</label> <input id="page-size" type="number" min="1" max="1000" value="25" size="5">
      <input id="only-stale" type="checkbox"> <label for="only-stale">only those needing re-enrolment</label></div></form>
    <p id="stale-info" aria-live="polite"></p>
    <table><caption class="muted" id="page-info"></caption><thead><tr><th scope="col">Id</th><th scope="col">Photos</th><th scope="col">Model version</th><th scope="col">Status</th><th scope="col">Updated</th><th scope="col">Actions</th></tr></thead>
      <tbody id="identities"></tbody></table>
    <p><button type="button" class="secondary" id="prev">Previous page</button> <button type="button" class="secondary" id="next">Next page</button></p></section>
  </div>
  <dialog id="confirm-delete" aria-labelledby="confirm-h"><form method="dialog"><h3 id="confirm-h">Delete identity?</h3>
    <p>Delete <strong id="confirm-id"></strong> and all its embeddings? This cannot be undone.</p>
    <div class="actions"><button value="cancel" class="secondary" autofocus>Cancel</button><button value="delete" class="danger" id="confirm-yes">Delete</button></div></form></dialog>
</div>
<div id="model" data-panel hidden>
  <section class="panel" aria-labelledby="model-h"><h2 id="model-h">Model</h2>${alert('model-error')}<dl id="model-facts"></dl></section>
  <section class="panel" aria-labelledby="op-h"><h2 id="op-h">Operating points</h2><div id="operating-points" aria-live="polite"></div></section>
  <section class="panel" aria-labelledby="eval-h"><h2 id="eval-h">Evaluation (from the model manifest)</h2>
    <div class="row"><table id="metrics"><thead><tr><th scope="col">Figure</th><th scope="col">Value</th></tr></thead><tbody></tbody></table>
    <figure id="roc"></figure></div></section>
</div>
</main>
<script type="application/json" id="console-data">${raw(dataBlock(data))}</script>
<script type="module">${raw(consoleScript)}</script>
</body></html>`;
