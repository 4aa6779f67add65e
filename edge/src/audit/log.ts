// The audit log: one Durable Object ("audit") with SQLite storage holds an append-only table of admin
// actions. It is its own object, apart from the identity writers and KV, so an identity's deletion
// leaves its history in place; one object gives a single order (seq) and read-your-writes paging,
// which KV (eventually consistent listings, one write a second per key) does not. Rows hold who
// (key id), when, what, which identity, the outcome (HTTP status) and the request id: never an
// image, an embedding or a secret. A mutation's row is written before it runs and its outcome
// filled in once, after (audit/middleware.ts; an identity's writer likewise for an expiry, key id
// "system", identity/retention.ts); nothing else ever changes or deletes a row.
import { DurableObject } from 'cloudflare:workers';

export const AUDIT_ACTIONS = ['enrol', 'add_images', 'delete', 'rebuild', 'read', 'other', 'expire'] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditEntry {
  seq: number;
  /** Milliseconds since the epoch, when the request arrived. */
  time: number;
  /** The admin token's id; null when authentication failed (or the request has not finished). */
  keyId: string | null;
  action: AuditAction;
  identityId: string | null;
  /** The answer's HTTP status; null while the request runs (or if it never finished). */
  status: number | null;
  requestId: string;
}

export type NewEntry = Omit<AuditEntry, 'seq'>;

type Row = { seq: number; time: number; key_id: string | null; action: AuditAction; identity_id: string | null; status: number | null; request_id: string };

export class AuditLog extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS audit (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, time INTEGER NOT NULL, key_id TEXT, action TEXT NOT NULL,
      identity_id TEXT, status INTEGER, request_id TEXT NOT NULL)`);
  }

  /** Appends a row; answers its seq. */
  append(e: NewEntry): number {
    return this.ctx.storage.sql
      .exec<{ seq: number }>('INSERT INTO audit (time, key_id, action, identity_id, status, request_id) VALUES (?, ?, ?, ?, ?, ?) RETURNING seq', e.time, e.keyId, e.action, e.identityId, e.status, e.requestId)
      .one().seq;
  }

  /** Fills in a row's outcome, once: a row that already has one is left as it is. */
  finish(seq: number, keyId: string | null, status: number): void {
    this.ctx.storage.sql.exec('UPDATE audit SET key_id = ?, status = ? WHERE seq = ? AND status IS NULL', keyId, status, seq);
  }

  /** Newest first: up to `limit` rows older than `before` (a seq; none: from the newest). */
  page(limit: number, before?: number): { entries: AuditEntry[]; cursor: number | null } {
    const rows = this.ctx.storage.sql
      .exec<Row>('SELECT * FROM audit WHERE seq < ? ORDER BY seq DESC LIMIT ?', before ?? Number.MAX_SAFE_INTEGER, limit + 1)
      .toArray();
    const more = rows.length > limit;
    const entries = rows.slice(0, limit).map((r) => ({
      seq: r.seq, time: r.time, keyId: r.key_id, action: r.action, identityId: r.identity_id, status: r.status, requestId: r.request_id,
    }));
    return { entries, cursor: more ? entries[entries.length - 1].seq : null };
  }
}

/** The one audit log object. */
export const auditLog = (env: Env) => env.AUDIT_LOG.get(env.AUDIT_LOG.idFromName('audit'));
