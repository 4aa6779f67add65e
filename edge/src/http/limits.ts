// Request and image limits, checked before any expensive work (decode, inference, KV writes).
import { bodyLimit } from 'hono/body-limit';
import { ApiError } from './errors';

const MiB = 1024 * 1024;

/** Encoded bytes of one image (after base64 decoding). */
export const MAX_IMAGE_BYTES = 5 * MiB;
/** Longest side and total pixels of one image, read from the JPEG SOF / PNG IHDR header. */
export const MAX_SIDE = 4096;
export const MAX_PIXELS = 4096 * 4096;
/** Images in one enrolment request, and embeddings kept per identity. */
export const MAX_IMAGES_PER_REQUEST = 10;
export const MAX_EMBEDDINGS_PER_IDENTITY = 32;
/** Whole request bodies: n images, base64-inflated, plus room for the other fields. */
export const bodyLimitFor = (images: number) => Math.ceil(images * MAX_IMAGE_BYTES * 1.37) + 64 * 1024;
/** Middleware: 413 payload_too_large for bodies over bodyLimitFor(images), checked while streaming. */
export const limitBody = (images: number) =>
  bodyLimit({
    maxSize: bodyLimitFor(images),
    onError: () => {
      throw new ApiError('payload_too_large', `request body is over ${bodyLimitFor(images)} bytes`);
    },
  });
/** identify's topK, admin list page size. */
export const MAX_TOP_K = 50;
export const DEFAULT_TOP_K = 5;
export const MAX_LIST_LIMIT = 1000;
/** Caller metadata stored with an identity (JSON, UTF-8 bytes). */
export const MAX_META_BYTES = 1024;
