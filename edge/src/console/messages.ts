// What the console tells a person for each API error code (http/errors.ts). Typed over every code, so a
// new code does not compile until it has a message here (extra keys are tolerated, so a message may
// land before its code).
import type { ErrorCode } from '../http/errors';
import { MAX_IMAGE_BYTES, MAX_IMAGES_PER_REQUEST, MAX_PIXELS, MAX_SIDE } from '../http/limits';

const MiB = MAX_IMAGE_BYTES / 1024 / 1024;

const messages = {
  invalid_request: 'The request was incomplete or malformed: a field is missing or has a wrong value.',
  invalid_identity_id: 'That identity id is not allowed: it must be 1–128 characters without "/", ".." or control characters.',
  too_many_images: `Too many photos at once: at most ${MAX_IMAGES_PER_REQUEST} per enrolment.`,
  unauthorized: 'The API key or admin token is missing or wrong.',
  forbidden: 'This API key may not use this route: it lacks the scope the route needs (verify or identify). Ask for a key with that scope.',
  identity_not_found: 'There is no identity with that id.',
  not_found: 'The server has no such route (address).',
  model_version_mismatch: 'This identity was enrolled with another model version: enrol it again (replace) instead of adding photos.',
  payload_too_large: `The upload is too big: the request is over the size limit (${MiB} MiB per photo, plus a little room).`,
  image_too_large: `The photo file is too large: at most ${MiB} MiB (the size of the file in bytes, not its width and height).`,
  image_too_many_pixels: `The photo has too many pixels: at most ${MAX_SIDE} pixels a side and ${Math.round(MAX_PIXELS / 1e6)} megapixels in all (its file size does not matter).`,
  unsupported_media_type: 'The request was not sent as a form upload or JSON.',
  unsupported_image_type: 'Only JPEG and PNG photos are supported (not CMYK JPEGs, GIF, WebP, HEIC…).',
  image_corrupt: 'The file could not be decoded as a picture; it may be damaged or truncated.',
  invalid_box: 'The face box is empty or outside the picture.',
  no_face: 'No face was found in this photo. Use a photo where the face is clearly visible, upright and not too dark.',
  multiple_faces: 'This photo shows more than one face, and enrolment takes one person per photo. Use a photo of this person alone, or choose "Use the largest face".',
  box_no_face: 'No face found in this photo lies in the face box that was sent. Send the box of one of the faces found, or no box.',
  face_too_small: 'The face is too small in this photo: it has too few pixels across for a reliable match. Use a closer or larger photo.',
  low_quality: 'The face in this photo is below the enrolment quality floor (turned too far, blurred, or badly exposed): the reasons name what to fix. Use a sharper, frontal, well-lit photo.',
  operating_point_unavailable: 'This model cannot turn that false accept rate into a threshold (its manifest measures no rate that fine, or records no thresholds); ask for a higher rate or set a similarity threshold instead.',
  threshold_below_floor: 'That threshold is looser than this server allows: it would accept more strangers than its configured floor (a false accept rate) permits. Ask for a stricter threshold.',
  rate_limited: 'Too many requests: this API key is over its quota, or one identity was changed too often; wait a few seconds and try again.',
  internal_error: 'The server failed unexpectedly; try again, and report it if it persists.',
  model_unavailable: 'The face model is not available on the server right now.',
  auth_not_configured: 'The server has no keys configured, so it refuses these requests.',
  encryption_not_configured: 'The server has no usable encryption key for stored face data (or data sealed under a key it no longer lists), so it cannot store or read the gallery.',
  storage_unavailable: 'The server cannot reach its storage right now; try again shortly.',
};

export const ERROR_MESSAGES: Record<ErrorCode, string> = messages;
