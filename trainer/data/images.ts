// Decodes image files to raw RGB for the shared preprocessing (sharp/libjpeg-turbo in Node), upright
// per the EXIF orientation (as a browser shows the photo).
import sharp from 'sharp';
import type { RawImage } from '../../models/contract/preprocess.js';

export async function decodeImage(input: string | Buffer): Promise<RawImage> {
  const { data, info } = await sharp(input).rotate().removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, channels: 3 };
}
