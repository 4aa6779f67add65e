// GET / — the web console (try it, admin, model), one self-contained HTML page with inline CSS
// and JS; it only calls this Worker's JSON API, and keeps keys and tokens in the tab.
import { Hono } from 'hono';
import { consolePage } from '../console/page';

export const consoleRoute = new Hono<{ Bindings: Env }>().get('/', (c) => {
  c.header('Cache-Control', 'no-store');
  c.header('Content-Security-Policy', "default-src 'self'; img-src 'self' data: blob:; style-src 'unsafe-inline'; script-src 'unsafe-inline'; frame-ancestors 'none'");
  return c.html(consolePage());
});
