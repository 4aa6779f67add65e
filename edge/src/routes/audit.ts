// GET /admin/audit — the audit log (audit/log.ts), newest first, paged by cursor: admin mutations and
// failed admin authentications, each with key id, time, action, identity id, outcome and request id.
import { createRoute, z } from '@hono/zod-openapi';
import { AUDIT_ACTIONS, auditLog } from '../audit/log';
import { ADMIN_ERRORS, requireAdmin } from '../http/auth';
import { ApiError } from '../http/errors';
import { MAX_LIST_LIMIT } from '../http/limits';
import { intField } from '../http/request-input';
import { adminAuth, api, errors, ok } from './openapi';

const DEFAULT_LIMIT = 100;

const AuditEntrySchema = z
  .object({
    seq: z.number().int().openapi({ description: 'position in the log; later entries have larger seq' }),
    time: z.number().int().openapi({ description: 'when the request arrived, ms since the epoch' }),
    keyId: z.string().nullable().openapi({ description: 'the admin token\'s id ("system" for expire); null when authentication failed' }),
    action: z.enum(AUDIT_ACTIONS).openapi({ description: 'enrol (PUT), add_images, delete, rebuild; expire: the service deleted an identity whose expiresAt had passed; read/other: a failed authentication on another admin route' }),
    identityId: z.string().nullable(),
    status: z.number().int().nullable().openapi({ description: "the answer's HTTP status; null if the request never finished" }),
    requestId: z.string().openapi({ description: 'the X-Request-Id of the answer' }),
  })
  .openapi('AuditEntry');

const route = createRoute({
  method: 'get',
  path: '/admin/audit',
  summary: 'The audit log, newest first: admin mutations and failed admin authentications (never images or embeddings)',
  security: adminAuth,
  middleware: [requireAdmin],
  request: {
    query: z.object({
      cursor: z.string().optional().openapi({ description: "the previous page's cursor" }),
      limit: intField(1, MAX_LIST_LIMIT, `page size (default ${DEFAULT_LIMIT})`),
    }),
  },
  responses: {
    200: ok(z.object({ entries: z.array(AuditEntrySchema), cursor: z.string().nullable().openapi({ description: 'null on the last page' }) }).openapi('AuditPage')),
    ...errors('invalid_request', ...ADMIN_ERRORS, 'storage_unavailable'),
  },
});

export const audit = api().openapi(route, async (c) => {
  const { cursor, limit = DEFAULT_LIMIT } = c.req.valid('query');
  if (cursor && !/^[1-9]\d{0,15}$/.test(cursor)) throw new ApiError('invalid_request', '"cursor": not a cursor this route gave', { field: 'cursor' });
  const page = await auditLog(c.env)
    .page(limit, cursor ? Number(cursor) : undefined)
    .catch((e) => {
      console.error('audit log: read failed', e);
      throw new ApiError('storage_unavailable', 'the audit log is unavailable, try again', { binding: 'AUDIT_LOG' });
    });
  return c.json({ entries: page.entries, cursor: page.cursor === null ? null : String(page.cursor) }, 200);
});
