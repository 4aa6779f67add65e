// Tight face crops, as other detectors' output or face datasets look: the face fills the picture.
// From a photo and one detected face: a square colour crop of `enlarge`× the detected box, and a
// 92×112 greyscale crop of the same width (the AT&T/ORL format), each with where the face is in it.
// Shared by the tight-crop test (models/face-tight-crops.test.ts) and its experiment
// (scripts/experiments/tight-crops.ts).
import sharp from 'sharp';
import type { Detection } from '../models/contract/face/detect.js';
import type { Box, RawImage } from '../models/contract/preprocess.js';

export interface TightCrop { img: RawImage; face: Box }

/** The integer region around the box's centre, w×h, clipped to the image. */
function regionAround(b: Box, w: number, h: number, img: RawImage): Box {
  const cx = b.x + b.w / 2, cy = b.y + b.h / 2;
  const x0 = Math.max(0, Math.round(cx - w / 2)), y0 = Math.max(0, Math.round(cy - h / 2));
  return { x: x0, y: y0, w: Math.min(img.width, Math.round(cx + w / 2)) - x0, h: Math.min(img.height, Math.round(cy + h / 2)) - y0 };
}

async function crop(img: RawImage, r: Box, size?: [number, number], grey = false): Promise<RawImage> {
  let s = sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength), { raw: { width: img.width, height: img.height, channels: img.channels as 3 } })
    .extract({ left: r.x, top: r.y, width: r.w, height: r.h });
  if (size) s = s.resize(size[0], size[1], { fit: 'fill' });
  if (grey) s = s.greyscale();
  const { data, info } = await s.raw().toBuffer({ resolveWithObject: true });
  // Grey stays one channel in sharp; the pipeline takes RGB, as a decoder gives a grey photo.
  const rgb = info.channels === 1 ? Uint8Array.from({ length: data.length * 3 }, (_v, i) => data[Math.floor(i / 3)]) : new Uint8Array(data);
  return { data: rgb, width: info.width, height: info.height, channels: 3 };
}

export async function tightCrops(img: RawImage, d: Detection, enlarge = 1.1): Promise<{ colour: TightCrop; grey: TightCrop }> {
  const side = enlarge * Math.max(d.box.w, d.box.h);
  const r = regionAround(d.box, side, side, img);
  const colour = { img: await crop(img, r), face: { ...d.box, x: d.box.x - r.x, y: d.box.y - r.y } };
  const g = regionAround(d.box, side, (side * 112) / 92, img);
  const sx = 92 / g.w, sy = 112 / g.h;
  const grey = { img: await crop(img, g, [92, 112], true), face: { x: (d.box.x - g.x) * sx, y: (d.box.y - g.y) * sy, w: d.box.w * sx, h: d.box.h * sy } };
  return { colour, grey };
}
