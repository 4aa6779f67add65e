// Face boxes from callers: parsed as {x,y,w,h} (JSON object, JSON string or "x,y,w,h"), then
// checked against the decoded image: positive size and fully inside it.
import type { Box } from '../../../models/contract/preprocess';
import { ApiError } from '../http/errors';

export function parseBox(value: unknown, field: string): Box | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  let v: unknown = value;
  if (typeof v === 'string') {
    const s = v.trim();
    try {
      v = s.startsWith('{') ? JSON.parse(s) : Object.fromEntries(s.split(',').map((n, i) => ['xywh'[i], Number(n)]));
    } catch {
      v = null;
    }
  }
  const o = v as Record<string, unknown> | null;
  const ok = o && typeof o === 'object' && ['x', 'y', 'w', 'h'].every((k) => typeof o[k] === 'number' && Number.isFinite(o[k]));
  if (!ok) throw new ApiError('invalid_request', `field "${field}" must be a box {x, y, w, h} in pixels`, { field });
  return { x: o.x as number, y: o.y as number, w: o.w as number, h: o.h as number };
}

export function checkBox(box: Box, img: { width: number; height: number }, field: string): Box {
  const fail = (why: string) => new ApiError('invalid_box', `box "${field}" ${why}`, { field, box, image: { width: img.width, height: img.height } });
  if (box.w <= 0 || box.h <= 0) throw fail('has zero or negative size');
  if (box.x < 0 || box.y < 0 || box.x + box.w > img.width || box.y + box.h > img.height) throw fail('is not inside the image');
  return box;
}
