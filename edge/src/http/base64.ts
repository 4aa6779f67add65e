// Base64 for request images (data: URL prefixes accepted) and for stored embeddings.
import { ApiError } from './errors';

export function decodeBase64(s: string, field: string): Uint8Array {
  const body = s.startsWith('data:') ? s.slice(s.indexOf(',') + 1) : s;
  let bin: string;
  try {
    bin = atob(body.replace(/[\s]/g, ''));
  } catch {
    throw new ApiError('invalid_request', `field "${field}" is not valid base64`, { field });
  }
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function encodeBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** Decoded size of a base64 string without decoding it (for early 413s). */
export const base64Size = (s: string) => Math.floor((s.length - (s.startsWith('data:') ? s.indexOf(',') + 1 : 0)) * 3 / 4);
