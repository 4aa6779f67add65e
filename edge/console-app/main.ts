// The web console's browser module, bundled by scripts/build-console.ts into
// edge/src/console/bundle.generated.ts and served inline by GET / under a CSP that allows exactly
// this script (its sha256), no 'unsafe-inline'. Panels are switched by the URL hash.
import { wireAdmin } from './admin';
import { wireDropZones } from './faces';
import { wireModel } from './model';
import { wireTry } from './try';

function showPanel() {
  const want = location.hash.slice(1);
  const name = ['try', 'admin', 'model'].includes(want) ? want : 'try';
  for (const p of document.querySelectorAll<HTMLElement>('[data-panel]')) p.hidden = p.id !== name;
  for (const a of document.querySelectorAll<HTMLElement>('[data-tab]')) a.setAttribute('aria-current', a.dataset.tab === name ? 'page' : 'false');
}

wireDropZones();
wireTry();
wireAdmin();
void wireModel();
addEventListener('hashchange', showPanel);
showPanel();
