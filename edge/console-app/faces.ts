// The photo previews: each chosen photo as a thumbnail; once the server has answered, the face it
// used (detector box and six landmarks, or the box that was cropped) drawn over it, and the crop the
// model saw recomputed here from the photo with the contract's own code: alignment onto the
// manifest's template (models/contract/face/align.ts), then the preprocessing crop and resize
// (models/contract/preprocess.ts). Problems (no face, several faces, a face too small) are drawn and
// explained on the photo they concern.
import { KEYPOINTS } from '../../models/contract/face/detect';
import { alignmentTransform, apply, invert, warpToCanvas, type Similarity } from '../../models/contract/face/align';
import { cropBox, resample, type PreprocessSpec, type RawImage } from '../../models/contract/preprocess';
import type { ConsoleFaceSpec } from '../src/console/data';
import { $, type ApiFailure, el, faceSpec, fmt, modelReady, svgEl } from './core';
import type { Box, DetectedFace, Face, Keypoint, Landmarks, Point } from './types';

const THUMB = 240;
export const KEYPOINT_NAMES: Record<Keypoint, string> = {
  rightEye: 'right eye', leftEye: 'left eye', noseTip: 'nose tip', mouth: 'mouth', rightEar: 'right ear', leftEar: 'left ear',
};
const KEYPOINT_COLOURS: Record<Keypoint, string> = {
  rightEye: '#00e5ff', leftEye: '#00e5ff', noseTip: '#ffd400', mouth: '#ff8a00', rightEar: '#39ff14', leftEar: '#39ff14',
};
const LEGEND = 'Box: the face the detector found; dots: eyes (cyan), nose tip (yellow), mouth (orange), ears (green).';

/** Pixels of a region of the photo, as the contract's RawImage (RGBA). */
function readPixels(bitmap: ImageBitmap, x: number, y: number, w: number, h: number): RawImage {
  const c = el('canvas', { width: w, height: h });
  const g = c.getContext('2d', { willReadFrequently: true })!;
  g.drawImage(bitmap, x, y, w, h, 0, 0, w, h);
  return { data: g.getImageData(0, 0, w, h).data, width: w, height: h, channels: 4 };
}

/** A float RGB image (0–255) onto a canvas. */
function toCanvas(rgb: Float32Array, size: number, label: string) {
  const c = el('canvas', { class: 'crop', width: size, height: size, role: 'img', 'aria-label': label });
  const img = new ImageData(size, size);
  for (let i = 0, j = 0; i < rgb.length; i += 3, j += 4) {
    img.data[j] = rgb[i];
    img.data[j + 1] = rgb[i + 1];
    img.data[j + 2] = rgb[i + 2];
    img.data[j + 3] = 255;
  }
  c.getContext('2d')!.putImageData(img, 0, 0);
  return c;
}

const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, v));

/**
 * The aligned face as the Worker makes it (model/find-face.ts): the similarity that puts the
 * landmarks on the template, the photo warped onto the template's canvas, the preprocessing crop of
 * that canvas resized to the model's input. Only the canvas's footprint in the photo (with a margin
 * wider than the warp's own) is read back from the bitmap, so a 16-megapixel photo is not copied whole.
 */
export function alignedCrop(bitmap: ImageBitmap, landmarks: Landmarks, spec: ConsoleFaceSpec, pre: PreprocessSpec): Float32Array {
  const t = alignmentTransform(KEYPOINTS.map((k) => landmarks[k]), spec.align);
  const S = spec.align.size;
  const corners = ([[0, 0], [S, 0], [0, S], [S, S]] as Point[]).map((p) => apply(invert(t), p));
  const s = Math.hypot(t.a, t.b);
  const pad = Math.ceil(4 / Math.min(s, 1)) + 4;
  const x0 = clamp(Math.floor(Math.min(...corners.map((p) => p[0]))) - pad, 0, bitmap.width);
  const y0 = clamp(Math.floor(Math.min(...corners.map((p) => p[1]))) - pad, 0, bitmap.height);
  const x1 = clamp(Math.ceil(Math.max(...corners.map((p) => p[0]))) + pad, 0, bitmap.width);
  const y1 = clamp(Math.ceil(Math.max(...corners.map((p) => p[1]))) + pad, 0, bitmap.height);
  const region = x1 > x0 && y1 > y0 ? readPixels(bitmap, x0, y0, x1 - x0, y1 - y0) : { data: new Uint8Array(4), width: 1, height: 1, channels: 4 as const };
  // The same transform for pixels of the region: p_photo = p_region + (x0, y0).
  const shifted: Similarity = { a: t.a, b: t.b, tx: t.tx + t.a * x0 - t.b * y0, ty: t.ty + t.b * x0 + t.a * y0 };
  const aligned = warpToCanvas(region, shifted, S);
  return resample(aligned, cropBox(aligned, pre), pre.size, pre.size);
}

/** A box of the photo resized to the model's input, as preprocess() does for a caller's box or the fixed crop. */
export function boxCrop(bitmap: ImageBitmap, box: Box, pre: PreprocessSpec): Float32Array {
  const pad = Math.ceil(Math.max(box.w, box.h) / pre.size) + 2;
  const x0 = clamp(Math.floor(box.x) - pad, 0, bitmap.width - 1), y0 = clamp(Math.floor(box.y) - pad, 0, bitmap.height - 1);
  const x1 = clamp(Math.ceil(box.x + box.w) + pad, x0 + 1, bitmap.width), y1 = clamp(Math.ceil(box.y + box.h) + pad, y0 + 1, bitmap.height);
  const region = readPixels(bitmap, x0, y0, x1 - x0, y1 - y0);
  return resample(region, { x: box.x - x0, y: box.y - y0, w: box.w, h: box.h }, pre.size, pre.size);
}

export const facesFoundText = (n: number) => (n === 1 ? '1 face found.' : `${n} faces found, the largest was used.`);

/** One chosen photo: thumbnail with an SVG overlay for faces, the model's crop, a caption. */
export class PhotoView {
  readonly figure: HTMLElement;
  private readonly overlay: SVGSVGElement;
  private readonly cropSlot: HTMLElement;
  private readonly caption: HTMLElement;
  private readonly what: string;

  private constructor(
    readonly file: File,
    readonly bitmap: ImageBitmap | null,
  ) {
    this.what = bitmap ? `${file.name} (${bitmap.width}×${bitmap.height} px)` : file.name;
    this.caption = el('figcaption', {});
    this.cropSlot = el('div', { class: 'crop-slot' });
    if (!bitmap) {
      this.overlay = svgEl('svg');
      this.figure = el('figure', { class: 'photo' }, this.caption);
      this.caption.textContent = `${file.name}: the browser cannot show this file as a picture; the server will say why if it refuses it.`;
      return;
    }
    const scale = THUMB / Math.max(bitmap.width, bitmap.height);
    const w = Math.max(1, Math.round(bitmap.width * scale)), h = Math.max(1, Math.round(bitmap.height * scale));
    const thumb = el('canvas', { class: 'thumb', width: w, height: h, 'aria-hidden': 'true' });
    const g = thumb.getContext('2d')!;
    g.imageSmoothingQuality = 'high';
    g.drawImage(bitmap, 0, 0, w, h);
    // Overlay coordinates are photo pixels (the API's), scaled by the viewBox.
    this.overlay = svgEl('svg', { class: 'faces', width: w, height: h, viewBox: `0 0 ${bitmap.width} ${bitmap.height}`, role: 'img', 'aria-label': `${file.name}: no face drawn yet` });
    this.figure = el('figure', { class: 'photo' }, el('div', { class: 'stage' }, thumb, this.overlay), this.cropSlot, this.caption);
    this.caption.textContent = `${this.what}. The server finds the face when you send it; the face it used and the crop the model saw appear here.`;
  }

  static async create(file: File): Promise<PhotoView> {
    try {
      return new PhotoView(file, await createImageBitmap(file, { imageOrientation: 'from-image' }));
    } catch {
      return new PhotoView(file, null);
    }
  }

  /** Back to the plain photo (before a new request). */
  reset() {
    this.figure.removeAttribute('data-face');
    this.overlay.replaceChildren();
    this.overlay.setAttribute('aria-label', `${this.file.name}: no face drawn yet`);
    this.cropSlot.replaceChildren();
  }

  private setCaption(...parts: (Node | string)[]) {
    this.caption.replaceChildren(this.what, ': ', ...parts);
  }

  private drawFaces(faces: DetectedFace[], numbered: boolean) {
    if (!this.bitmap) return;
    const unit = Math.max(this.bitmap.width, this.bitmap.height) / THUMB; // one thumbnail pixel, in photo pixels
    const items: SVGElement[] = [];
    faces.forEach((f, i) => {
      const b = f.box;
      items.push(svgEl('rect', { class: 'face-box', 'data-face': i, x: b.x, y: b.y, width: b.w, height: b.h, fill: 'none', stroke: '#ff2d95', 'stroke-width': 2, 'vector-effect': 'non-scaling-stroke' }));
      if (numbered) items.push(svgEl('text', { x: b.x + 3 * unit, y: b.y - 4 * unit < 12 * unit ? b.y + 14 * unit : b.y - 4 * unit, fill: '#ff2d95', stroke: '#000', 'stroke-width': 0.6 * unit, 'font-size': 14 * unit, 'font-weight': 700 }, String(i + 1)));
      if (!f.landmarks) return;
      for (const k of KEYPOINTS) {
        const p = f.landmarks[k];
        if (!p) continue;
        items.push(svgEl('circle', { class: 'landmark', 'data-keypoint': k, cx: p[0], cy: p[1], r: 3.2 * unit, fill: KEYPOINT_COLOURS[k], stroke: '#000', 'stroke-width': 1, 'vector-effect': 'non-scaling-stroke' },
          svgEl('title', {}, `${KEYPOINT_NAMES[k]} (${Math.round(p[0])}, ${Math.round(p[1])})`)));
      }
    });
    this.overlay.replaceChildren(...items);
    const marks = faces.some((f) => f.landmarks) ? ' and its six landmarks' : '';
    this.overlay.setAttribute('aria-label', faces.length === 1 ? `${this.file.name}: the face box${marks}` : `${this.file.name}: ${faces.length} face boxes, numbered largest first`);
  }

  /** The face an answer used: drawn, and the crop the model saw recomputed. */
  async showFace(face: Face) {
    this.reset();
    if (!this.bitmap) return;
    const [model, spec] = await Promise.all([modelReady, faceSpec()]);
    this.figure.setAttribute('data-face', face.source);
    if (face.source === 'detector') {
      this.drawFaces([face], false);
      const found = el('strong', { class: 'faces-found' }, facesFoundText(face.facesFound));
      if (model && spec) {
        const pre = model.preprocess;
        this.cropSlot.replaceChildren(toCanvas(alignedCrop(this.bitmap, face.landmarks, spec, pre), pre.size, `the aligned crop the model saw of ${this.file.name}`));
        this.setCaption(found, ` Detector score ${fmt(face.score, 2)}. ${LEGEND} Right: what the model saw — the photo turned and scaled so that eyes, nose and mouth land on the template (${spec.align.size}×${spec.align.size}), then ${cropWords(pre)}.`);
      } else {
        this.setCaption(found, ` Detector score ${fmt(face.score, 2)}. ${LEGEND} (The alignment template is not available to this page, so the aligned crop cannot be drawn.)`);
      }
      return;
    }
    this.drawFaces([{ box: face.box }], false);
    if (model) {
      const pre = model.preprocess;
      this.cropSlot.replaceChildren(toCanvas(boxCrop(this.bitmap, face.box, pre), pre.size, `the crop the model saw of ${this.file.name}`));
    }
    this.setCaption(face.source === 'box'
      ? 'the box sent with the request (no face detection), resized to the model input, is what the model saw.'
      : `this model has no face detector: the fixed crop outlined${model ? ` (${pct(model.preprocess.crop.w)} × ${pct(model.preprocess.crop.h)} of the photo)` : ''}, resized to the model input, is what the model saw. A face outside it is a likely miss.`);
  }

  /** A face error about this photo, drawn and said in plain words. */
  async showProblem(e: ApiFailure) {
    this.reset();
    const d = e.details;
    const spec = await faceSpec();
    const minimum = typeof d.minimum === 'number' ? d.minimum : spec?.minFaceSize;
    this.figure.setAttribute('data-face', e.code);
    if (e.code === 'no_face') {
      this.setCaption(el('strong', { class: 'face-problem' }, 'no face found.'),
        ` The detector found no face in this photo. Use a photo where the face is clearly visible, upright, not too dark${minimum ? ` and at least ${minimum} pixels across` : ''}.`);
    } else if (e.code === 'multiple_faces') {
      const faces = Array.isArray(d.faces) ? (d.faces as DetectedFace[]) : [];
      this.drawFaces(faces, true);
      const n = Number(d.facesFound ?? faces.length);
      this.setCaption(el('strong', { class: 'face-problem' }, `${n} faces in this photo.`),
        ' Enrolment needs one person per photo, so that the wrong person is not enrolled by mistake. Use a photo of this person alone, or "Use the largest face" (number 1).');
    } else if (e.code === 'face_too_small') {
      const face = d.face as DetectedFace | undefined;
      if (face) this.drawFaces([face], false);
      this.setCaption(el('strong', { class: 'face-problem' }, 'the face is too small.'),
        ` It is ${d.size ?? '?'} pixels across; the model needs at least ${minimum ?? '?'} pixels for a reliable match. Use a closer or larger photo.`);
    }
  }
}

const pct = (v: number) => `${Math.round(v * 100)}%`;
const cropWords = (pre: PreprocessSpec) => `the middle ${pct(pre.crop.w)} × ${pct(pre.crop.h)} of it resized to ${pre.size}×${pre.size}`;

/** Every file input's current previews, by input id (a promise: the bitmaps decode asynchronously). */
const previews = new Map<string, Promise<PhotoView[]>>();

export function previewsOf(inputId: string): Promise<PhotoView[]> {
  return previews.get(inputId) ?? Promise.resolve([]);
}

export async function showPreviews(input: HTMLInputElement) {
  const out = $(`#${input.id}-preview`);
  out.replaceChildren(); // never show the previous photos as if they were the new ones
  const views = Promise.all([...(input.files ?? [])].map((f) => PhotoView.create(f)));
  previews.set(input.id, views);
  const shown = await views;
  if (previews.get(input.id) === views) out.replaceChildren(...shown.map((v) => v.figure));
}

/** Draws each face of an answer on its photo's preview. */
export async function showFaces(pairs: [Promise<PhotoView[]>, number, Face | undefined][]) {
  await Promise.all(pairs.map(async ([views, i, face]) => {
    const v = (await views)[i];
    if (v && face) await v.showFace(face);
  }));
}

const FACE_CODES = new Set(['no_face', 'multiple_faces', 'face_too_small']);

/** For a face error, draws it on the photo its details name (fieldViews maps a field to that photo). */
export async function showFaceProblem(e: unknown, fieldViews: (field: string) => Promise<PhotoView | undefined>) {
  const err = e as ApiFailure;
  if (!err || !FACE_CODES.has(err.code) || typeof err.details?.field !== 'string') return;
  const v = await fieldViews(err.details.field);
  if (v) await v.showProblem(err);
}

/** Drop zones: a dropped photo goes into the zone's file input, as if picked. */
export function wireDropZones() {
  for (const zone of document.querySelectorAll<HTMLElement>('.drop')) {
    const input = zone.querySelector<HTMLInputElement>('input[type=file]')!;
    input.addEventListener('change', () => void showPreviews(input));
    zone.addEventListener('dragover', (e) => {
      e.preventDefault();
      zone.classList.add('over');
    });
    zone.addEventListener('dragleave', () => zone.classList.remove('over'));
    zone.addEventListener('drop', (e) => {
      e.preventDefault();
      zone.classList.remove('over');
      const files = [...(e.dataTransfer?.files ?? [])].slice(0, input.multiple ? undefined : 1);
      if (!files.length) return;
      const dt = new DataTransfer();
      for (const f of files) dt.items.add(f);
      input.files = dt.files;
      input.dispatchEvent(new Event('change', { bubbles: true }));
    });
  }
  addEventListener('dragover', (e) => e.preventDefault());
  addEventListener('drop', (e) => e.preventDefault());
}
