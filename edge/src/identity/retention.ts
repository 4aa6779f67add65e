// Retention: an identity may be enrolled with an expiry, after which its writer's alarm deletes it
// through the same path as DELETE (identity/writer.ts), audited as a system action. A request gives
// either an instant (`expiresAt`, ms since the epoch, like createdAt/updatedAt) or a period
// (`retainDays` from now); PUT without either enrols without expiry, POST …/images without either
// keeps the identity's expiry.
import { ApiError } from '../http/errors';

export const MAX_RETAIN_DAYS = 36_500;
const DAY_MS = 86_400_000;

/** The audit log's key id for what the service does by itself (an expiry's deletion). */
export const SYSTEM_KEY_ID = 'system';

/** The expiry a request asks for (ms since the epoch), or undefined; 400 invalid_request if it is not in the future. */
export function requestedExpiry(o: { expiresAt?: number; retainDays?: number }, now: number): number | undefined {
  if (o.expiresAt !== undefined && o.retainDays !== undefined)
    throw new ApiError('invalid_request', 'send "expiresAt" or "retainDays", not both', { field: 'retainDays' });
  if (o.retainDays !== undefined) return now + o.retainDays * DAY_MS;
  if (o.expiresAt === undefined) return undefined;
  if (o.expiresAt <= now) throw new ApiError('invalid_request', '"expiresAt" must be in the future (ms since the epoch)', { field: 'expiresAt', now });
  if (o.expiresAt > now + MAX_RETAIN_DAYS * DAY_MS)
    throw new ApiError('invalid_request', `"expiresAt" is more than ${MAX_RETAIN_DAYS} days away`, { field: 'expiresAt', now });
  return o.expiresAt;
}

/** Whether a record (or listing entry) with this expiry is past it. */
export const expired = (expiresAt: number | undefined, now: number) => expiresAt !== undefined && expiresAt <= now;
