// The identify scan at 100k identities timed inside workerd, for `npm run bench` (section
// scan-workerd), which runs this file alone (EDGE_BENCH=1, edge/vitest.config.ts); not a test.
// Prints one `SCAN_WORKERD {json}` line per row type. workerd's clocks are coarse (whole ms; deployed
// Workers advance them only across I/O), so both performance.now and Date.now are reported, with
// whether they moved.
import { it } from 'vitest';
import { resetGallery, searchGallery } from '../src/gallery/cache';
import { fakeKv, rng, timeScans, unit } from './gallery-data';

it('times the 100k scan inside workerd', async () => {
  for (const dtype of ['f32', 'i8'] as const) {
    resetGallery();
    const { kv } = fakeKv(100_000, 128, dtype, 3);
    const r = rng(4);
    const qs = Array.from({ length: 20 }, () => unit(128, r));
    await searchGallery(kv, 'v', qs[0], 5);
    const { sorted: t, wallMs } = await timeScans(kv, 'v', qs);
    console.log(`SCAN_WORKERD ${JSON.stringify({ n: 100_000, dtype, queries: qs.length, p50: t[10], max: t[19], wallMs, clocksAdvance: t[19] > 0 || wallMs > 0 })}`);
  }
  resetGallery();
}, 300_000);
