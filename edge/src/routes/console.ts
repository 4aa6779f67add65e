// GET / — the web console (try it, admin, model): one self-contained HTML page. Its script is the
// bundled browser module (console/bundle.generated.ts) and its stylesheet console/style.ts, both
// inline and allowed by their sha256 in the CSP: no 'unsafe-inline', so an injected script or style
// element does not run. What the script needs from the server comes as a JSON data block: the
// error messages and the manifest's face alignment spec (null when the manifest cannot be read;
// the page still works, without the aligned crop). It only calls this Worker's JSON API, and keeps
// keys and tokens in the tab.
import { Hono } from 'hono';
import { consoleScript } from '../console/bundle.generated';
import type { ConsoleData } from '../console/data';
import { ERROR_MESSAGES } from '../console/messages';
import { consolePage } from '../console/page';
import { consoleStyle } from '../console/style';
import { getManifest } from '../model/loader';

const sha256 = async (text: string) => {
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  return `'sha256-${btoa(String.fromCharCode(...d))}'`;
};

let policy: Promise<string> | null = null;
/** The CSP, once per isolate: exactly the page's script and stylesheet, same-origin fetches, no framing. */
export const consolePolicy = () => {
  policy ??= Promise.all([sha256(consoleScript), sha256(consoleStyle)]).then(([script, style]) =>
    [
      "default-src 'self'",
      "img-src 'self' data: blob:",
      `style-src ${style}`,
      `script-src ${script}`,
      "connect-src 'self'",
      "object-src 'none'",
      "base-uri 'none'",
      "form-action 'self'",
      "frame-ancestors 'none'",
    ].join('; '),
  );
  return policy;
};

export const consoleRoute = new Hono<{ Bindings: Env }>().get('/', async (c) => {
  const face = await getManifest(c.env).then(
    (m): ConsoleData['face'] => (m.face ? { align: m.face.align, minFaceSize: m.face.minFaceSize, detector: m.face.detector.id } : null),
    () => null,
  );
  c.header('Cache-Control', 'no-store');
  c.header('Content-Security-Policy', await consolePolicy());
  return c.html(consolePage({ messages: ERROR_MESSAGES, face }));
});
