// Training on a small real subset: 48 dev-train identities with ≥ 6 photos, features from the real
// backbone (cached under the feature cache, extracted on first run), a few epochs; the head must
// beat the raw-feature cosine baseline on held-out identities. Fails if training does nothing.
import { expect, it } from 'vitest';
import { loadNsfwjs } from './backbone/source.js';
import { extractFeatures, openStores } from './features/extract.js';
import { tapByName } from './features/taps.js';
import { CACHE_ROOT } from './features/cache-root.js';
import { labeledSet } from './dataset.js';
import { indexImages, readPeople } from './lfw.js';
import { trainHead } from './train.js';
import { lfwPreprocess, type PreprocessSpec } from '../models/contract/preprocess.js';
import { readManifest } from '../models/load.js';
import { describeWithLfw, LFW } from '../test/real-data.js';

describeWithLfw('trainHead on real LFW features', () => {
  it('beats the raw-feature baseline on 12 held-out identities', async () => {
    const source = loadNsfwjs();
    const m = readManifest();
    const spec: PreprocessSpec = m.preprocess ?? lfwPreprocess(source.inputScale);
    const tap = tapByName(m.backbone.cut);
    const index = indexImages(LFW.images);
    const people = readPeople(LFW.file('peopleDevTrain.txt'))[0].filter((p) => p.count >= 6).slice(0, 48);
    const ids = new Map(people.map((p) => [p.name, index.get(p.name)!.slice(0, 6)]));
    const paths = [...ids.values()].flat();
    await extractFeatures({ source, imagesDir: LFW.images, paths, spec, taps: [tap], cacheRoot: CACHE_ROOT });
    const store = openStores({ source, spec, taps: [tap], cacheRoot: CACHE_ROOT }, false)[tap.output];
    const names = [...ids.keys()];
    const train = labeledSet(new Map(names.slice(0, 36).map((n) => [n, ids.get(n)!])), store);
    const val = labeledSet(new Map(names.slice(36).map((n) => [n, ids.get(n)!])), store);
    const r = await trainHead(train, val, { epochs: 5, batchSize: 32, valTriplets: 300, neighbours: 8, learningRate: 1e-3 }, { log: () => {} });
    const best = Math.max(...r.metrics.slice(1).map((e) => e.valAccuracy));
    console.log(`real subset: baseline ${r.baseline.valAccuracy.toFixed(3)}, per epoch ${r.metrics.map((e) => e.valAccuracy.toFixed(3)).join(' ')}`);
    expect(best).toBeGreaterThan(r.baseline.valAccuracy);
    expect(r.metrics.at(-1)!.valLoss).toBeLessThan(r.metrics[0].valLoss);
  }, 600_000);
});
