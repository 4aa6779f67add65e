// Header parsing: dimensions without decoding, and stable codes for everything we refuse.
import { describe, expect, it } from 'vitest';
import type { ApiError } from '../src/http/errors';
import { readImageHeader } from '../src/image/header';
import { fixture } from './helpers';

const code = (name: string) => {
  try {
    readImageHeader(fixture(name), 'x');
    return 'ok';
  } catch (e) {
    return (e as ApiError).code;
  }
};

describe('readImageHeader', () => {
  it('reads JPEG (baseline and progressive) and PNG dimensions', () => {
    expect(readImageHeader(fixture('person1.jpg'), 'x')).toEqual({ type: 'jpeg', width: 96, height: 112 });
    expect(readImageHeader(fixture('person1-b.jpg'), 'x')).toEqual({ type: 'jpeg', width: 120, height: 140 });
    expect(readImageHeader(fixture('person1.png'), 'x')).toEqual({ type: 'png', width: 96, height: 112 });
    expect(readImageHeader(fixture('huge.jpg'), 'x')).toEqual({ type: 'jpeg', width: 20000, height: 20000 });
    expect(readImageHeader(fixture('huge.png'), 'x')).toEqual({ type: 'png', width: 50000, height: 50000 });
  });

  it('rejects other formats and noise as unsupported_image_type', () => {
    for (const f of ['person1.gif', 'person1.tiff', 'person1.webp', 'fake.bmp', 'noise.bin']) expect(code(f), f).toBe('unsupported_image_type');
  });

  it('rejects truncated files as image_corrupt', () => {
    expect(code('truncated.jpg')).toBe('image_corrupt');
    expect(code('truncated.png')).toBe('image_corrupt');
    expect(code('person1.jpg')).toBe('ok');
  });
});
