// The enrolment quality floor: what a face must meet to be enrolled (probes only report their
// quality). Measured on LFW peopleDevTest (scripts/quality-floor.ts; BENCHMARKS.md, "Enrolment
// quality floor"): this lenient floor refuses 1.7% of LFW test faces (near-profiles, heavy blur,
// bad exposure), 0.9% of enrolments once a person may send another photo, and moves FNIR at FPIR 1%
// (N = 1,000) by under a point for either backbone; no stricter floor that was tried lowered FNIR by
// more than noise without refusing many times more enrolments (detector score ≥ 0.9: −6 points for
// dlib at 39% failure to enrol). LFW holds few bad faces, so its value is the refusal of the
// clearly unusable photos, not a gain measured there.
import type { QualityFloor } from '../../../models/contract/face/quality';

export const ENROL_QUALITY_FLOOR: QualityFloor = { maxYaw: 40, maxRoll: 25, minSharpness: 20, minBrightness: 40, maxBrightness: 220, maxClipped: 0.2 };
