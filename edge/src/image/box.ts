// Face boxes from callers: the request schemas (a {x,y,w,h} object in JSON, or text — JSON
// '{"x":…}' or "x,y,w,h" — in either body), then the check against the decoded image: positive
// size and fully inside it (422 invalid_box, in model/embed-images.ts once the header is read).
// A box selects a detected face (model/find-face.ts), or is cropped by a model without a detector.
import { z } from '@hono/zod-openapi';
import type { Box } from '../../../models/contract/preprocess';
import { BOX_MIN_IOU } from '../../../models/contract/face/pipeline';
import { ApiError } from '../http/errors';

const finite = z.number();
export const BoxSchema = z
  .object({ x: finite, y: finite, w: finite, h: finite })
  .openapi('Box', { description: 'A face box in pixels of the upright photo' });

const MUST = 'must be a box {x, y, w, h} in pixels';

/** Text that is a box: JSON '{"x":…,"y":…,"w":…,"h":…}' or "x,y,w,h". */
function boxFromText(text: string): Box | null {
  const s = text.trim();
  let v: unknown = null;
  if (s.startsWith('{')) {
    try {
      v = JSON.parse(s);
    } catch {
      return null;
    }
  } else {
    const parts = s.split(',');
    if (parts.length !== 4 || parts.some((p) => p.trim() === '')) return null;
    const [x, y, w, h] = parts.map(Number);
    v = { x, y, w, h };
  }
  const r = BoxSchema.safeParse(v);
  return r.success ? r.data : null;
}

const absent = (v: unknown) => v === undefined || v === null || v === '';

/** A box as text (multipart fields; also accepted in JSON); empty means none. */
export const BoxText = z
  .string()
  .transform((s, ctx): Box | undefined => {
    if (s.trim() === '') return undefined;
    const b = boxFromText(s);
    if (!b) ctx.addIssue({ code: 'custom', message: MUST });
    return b ?? undefined;
  })
  .openapi({ type: 'string', description: `face box in pixels of the upright photo: JSON {"x","y","w","h"} or "x,y,w,h". It selects the detected face it overlaps most (intersection over union ≥ ${BOX_MIN_IOU}, else 422 box_no_face), even in a group photo, which is then aligned like any other; a box the answer or a multiple_faces error reported selects that face. A model without a face detector crops the box as given`, example: '40,30,120,140' });

/** An optional box in a JSON body: an object, or the same text as multipart; null or "" mean none. */
export const BoxField = z
  .union([BoxSchema, BoxText], { error: MUST })
  .nullish()
  .transform((v) => (absent(v) ? undefined : (v as Box)));

/** An optional box in a multipart body (one text field). */
export const BoxFormField = BoxText.optional();

export function checkBox(box: Box, img: { width: number; height: number }, field: string): Box {
  const fail = (why: string) => new ApiError('invalid_box', `box "${field}" ${why}`, { field, box, image: { width: img.width, height: img.height } });
  if (box.w <= 0 || box.h <= 0) throw fail('has zero or negative size');
  // The tolerance admits a reported box (rounded to 0.1 px) whose far edge is the photo's, in floating point.
  if (box.x < 0 || box.y < 0 || box.x + box.w > img.width + 1e-6 || box.y + box.h > img.height + 1e-6) throw fail('is not inside the image');
  return box;
}
