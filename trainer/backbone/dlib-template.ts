// Where BlazeFace's landmarks go on dlib's 150-px face chip. dlib's face descriptor network was
// trained on chips cut by get_face_chip_details(shape, 150, 0.25) (dlib/image_transforms/
// interpolation.h): a similarity fitted from the landmarks onto a normalised mean face, padded by
// 0.25 on every side, i.e. canvas = (p + 0.25) / 1.5 · 150 for a point p of the unit face square.
//
// BlazeFace gives eye centres, the nose tip and the mouth centre, which are not dlib's 5 points (eye
// corners and the base of the nose), so the template is derived:
//   eyes   the midpoints of dlib's 5-point eye corners (0.318, 0.314) and (0.669, 0.314) of the chip;
//   nose, mouth, three ways (measured by scripts/eval-backbone.ts --templates, BENCHMARKS.md):
//     'eyes'    eyes only (the similarity through the two eye centres);
//     'dlib68'  dlib's 68-point mean face: nose tip = point 30, mouth = mean of points 48–67;
//     'lfw'     the LFW-fitted BlazeFace template (models/face-template.json, mean landmarks of 2000
//               peopleDevTrain images) moved by the similarity that puts its eyes on dlib's eyes, so
//               nose and mouth sit where BlazeFace itself puts them relative to the eyes.
import type { AlignSpec, Point } from '../../models/contract/face/align.js';
import { apply, fitSimilarity } from '../../models/contract/face/align.js';
import { LFW_TEMPLATE } from '../../models/node/face-detector.js';

export const DLIB_CHIP_SIZE = 150;
export const DLIB_CHIP_PADDING = 0.25;

/** A point of dlib's unit face square on the padded chip, in canvas pixels. */
export const onChip = ([x, y]: Point, size = DLIB_CHIP_SIZE, padding = DLIB_CHIP_PADDING): Point =>
  [((x + padding) / (1 + 2 * padding)) * size, ((y + padding) / (1 + 2 * padding)) * size];

const mid = (a: Point, b: Point): Point => [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];

/**
 * dlib's 5-point template eye corners (unit face square), from interpolation.h: the subject's
 * right eye (image left) outer/inner and left eye inner/outer corners.
 */
const EYE_CORNERS = {
  rightOuter: [0.1205750620789, 0.2137274526848] as Point,
  rightInner: [0.3340850613712, 0.2290642403242] as Point,
  leftInner: [0.6460604764104, 0.2289674387677] as Point,
  leftOuter: [0.8595674595992, 0.2134981538014] as Point,
};
/** dlib's 68-point mean face shape: point 30 (nose tip) and the mean of the mouth points 48–67. */
const MEAN_SHAPE = { noseTip: [0.490127, 0.515625] as Point, mouth: [0.49012665, 0.80422455] as Point };

export const DLIB_EYES = {
  rightEye: onChip(mid(EYE_CORNERS.rightOuter, EYE_CORNERS.rightInner)),
  leftEye: onChip(mid(EYE_CORNERS.leftInner, EYE_CORNERS.leftOuter)),
};

export type DlibTemplateKind = 'eyes' | 'dlib68' | 'lfw';
export const DLIB_TEMPLATE_KINDS: DlibTemplateKind[] = ['eyes', 'dlib68', 'lfw'];

const round = (p: Point): Point => [Math.round(p[0] * 1000) / 1000, Math.round(p[1] * 1000) / 1000];

export function dlibAlignSpec(kind: DlibTemplateKind): AlignSpec {
  const chip = `dlib face chip (${DLIB_CHIP_SIZE} px, padding ${DLIB_CHIP_PADDING}, get_face_chip_details in dlib/image_transforms/interpolation.h): eyes at the midpoints of dlib's 5-point eye corners`;
  const eyes = { rightEye: round(DLIB_EYES.rightEye), leftEye: round(DLIB_EYES.leftEye) };
  if (kind === 'eyes') return { size: DLIB_CHIP_SIZE, template: eyes, source: `${chip}; eyes only` };
  if (kind === 'dlib68') {
    return {
      size: DLIB_CHIP_SIZE,
      template: { ...eyes, noseTip: round(onChip(MEAN_SHAPE.noseTip)), mouth: round(onChip(MEAN_SHAPE.mouth)) },
      source: `${chip}; nose tip and mouth from dlib's 68-point mean face shape (point 30; mean of points 48-67)`,
    };
  }
  const t = LFW_TEMPLATE.template;
  const toDlib = fitSimilarity([t.rightEye!, t.leftEye!], [DLIB_EYES.rightEye, DLIB_EYES.leftEye]);
  return {
    size: DLIB_CHIP_SIZE,
    template: { ...eyes, noseTip: round(apply(toDlib, t.noseTip!)), mouth: round(apply(toDlib, t.mouth!)) },
    source: `${chip}; nose tip and mouth from the LFW-fitted BlazeFace template (${LFW_TEMPLATE.source}) moved by the similarity that puts its eyes on dlib's`,
  };
}
