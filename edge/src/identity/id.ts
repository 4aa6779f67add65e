// Identity ids: what an admin may use as the :id path segment and KV key suffix.
import { ApiError } from '../http/errors';

export const MAX_ID_LENGTH = 128;

/** 1–128 characters; no '/', no '..', no control characters (C0, DEL, C1). */
export function validateIdentityId(id: string | undefined): string {
  const bad = (why: string) => new ApiError('invalid_identity_id', `identity id ${why}`, { rules: '1-128 characters, no "/", no "..", no control characters' });
  if (!id) throw bad('is empty');
  if ([...id].length > MAX_ID_LENGTH) throw bad(`is longer than ${MAX_ID_LENGTH} characters`);
  if (id.includes('/')) throw bad('contains "/"');
  if (id.includes('..')) throw bad('contains ".."');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  if (/[\u0000-\u001f\u007f-\u009f]/.test(id)) throw bad('contains control characters');
  if (id.trim() !== id) throw bad('has leading or trailing whitespace');
  return id;
}
