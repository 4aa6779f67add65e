// A request id on every answer (X-Request-Id) and on the context, for logs and the audit log:
// Cloudflare's cf-ray where the edge sets it, else a random UUID. A caller's own X-Request-Id is not
// taken, so the audit log's ids are the Worker's.
import { createMiddleware } from 'hono/factory';

declare module 'hono' {
  interface ContextVariableMap {
    requestId: string;
  }
}

export const requestId = createMiddleware(async (c, next) => {
  const id = c.req.header('cf-ray') || crypto.randomUUID();
  c.set('requestId', id);
  c.header('X-Request-Id', id);
  await next();
});
