// JPEG/PNG decoding inside the Worker with @jsquash (mozjpeg, Rust png). Their wasm is imported as
// precompiled modules and handed to each codec's init(), since workerd cannot compile wasm bytes.
// Callers check the header first (header.ts): this module trusts type and size limits.
import decodeJpeg, { init as initJpeg } from '@jsquash/jpeg/decode.js';
import decodePng, { init as initPng } from '@jsquash/png/decode.js';
import jpegWasm from '@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm';
// @ts-expect-error its .d.ts types the instance's exports; wrangler's import yields the compiled Module
import pngWasm from '@jsquash/png/codec/pkg/squoosh_png_bg.wasm';
import type { RawImage } from '../../../models/contract/preprocess';
import { ApiError } from '../http/errors';
import type { ImageHeader } from './header';
import { checkPngChunks } from './png-crc';

// jsquash's typings omit init(module) for JPEG; the JS accepts a WebAssembly.Module first.
const initJpegModule = initJpeg as unknown as (m: WebAssembly.Module, o: object) => Promise<void>;
/** libjpeg's last complaint (it prints instead of throwing), reported in the error's details. */
let jpegMessage = '';
const jpegOptions = { print: () => {}, printErr: (s: string) => (jpegMessage = s) };
let jpegReady: Promise<unknown> | null = null;
let pngReady: Promise<unknown> | null = null;

const retry = (forget: () => void) => (e: unknown) => {
  forget();
  throw e;
};

export async function decodeImage(bytes: Uint8Array, header: ImageHeader, field: string): Promise<RawImage> {
  if (header.type === 'png') checkPngChunks(bytes, field);
  if (header.type === 'jpeg') {
    jpegReady ??= initJpegModule(jpegWasm, jpegOptions).catch(retry(() => { jpegReady = null; }));
    await jpegReady;
  } else {
    pngReady ??= initPng(pngWasm as WebAssembly.Module).catch(retry(() => { pngReady = null; }));
    await pngReady;
  }
  // The codecs take an ArrayBuffer; copy only when the bytes are a view into a larger buffer.
  const buf = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? (bytes.buffer as ArrayBuffer) : bytes.slice().buffer;
  let img: { data: Uint8ClampedArray; width: number; height: number };
  jpegMessage = '';
  try {
    img = header.type === 'jpeg' ? await decodeJpeg(buf) : await decodePng(buf);
  } catch (e) {
    // An Emscripten abort leaves mozjpeg unusable: start a fresh instance next time.
    if (header.type === 'jpeg') jpegReady = null;
    throw new ApiError('image_corrupt', `image "${field}" could not be decoded`, { field, reason: jpegMessage || String((e as Error)?.message ?? e) });
  }
  if (!img || img.width !== header.width || img.height !== header.height || img.data.length !== img.width * img.height * 4)
    throw new ApiError('image_corrupt', `image "${field}" decoded to unexpected dimensions`, { field });
  return { data: img.data, width: img.width, height: img.height, channels: 4 };
}
