// Where cached features live: outside git, overridable for machines with a bigger or faster disk.
import { join } from 'node:path';
import { repoRoot } from '../../paths.js';

export const CACHE_ROOT = process.env.FEATURE_CACHE ?? join(repoRoot, '.cache', 'features');
