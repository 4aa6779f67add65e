// The deployment's operating-point settings (wrangler.toml [vars]): verify's default target false
// accept rate, identify's default target false positive identification rate, and the floor no
// request may loosen the threshold beyond, as a false accept rate ("1": no floor). Unset or empty
// vars take the defaults below; a value that is not a rate in range fails every decision (500),
// rather than serving an operating point nobody chose.
import { ApiError } from '../http/errors';

export interface OperatingSettings {
  /** VERIFY_FAR: verify's default, per comparison. */
  verifyFar: number;
  /** IDENTIFY_FPIR: identify's default, for the identities searched. */
  identifyFpir: number;
  /** THRESHOLD_FLOOR_FAR: no request gets a threshold looser than this rate's. */
  floorFar: number;
}

export const DEFAULT_SETTINGS: OperatingSettings = { verifyFar: 0.001, identifyFpir: 0.01, floorFar: 0.01 };

type Vars = Partial<Pick<Env, 'VERIFY_FAR' | 'IDENTIFY_FPIR' | 'THRESHOLD_FLOOR_FAR'>>;

function rate(name: string, value: string | undefined, fallback: number, allowOne = false): number {
  if (value === undefined || value.trim() === '') return fallback;
  const v = Number(value);
  if (!(v > 0 && (v < 1 || (allowOne && v === 1))))
    throw new ApiError('internal_error', `deployment setting ${name} must be a number in (0, 1${allowOne ? ']' : ')'}; fix wrangler.toml [vars]`, { setting: name });
  return v;
}

export function operatingSettings(env: Vars): OperatingSettings {
  return {
    verifyFar: rate('VERIFY_FAR', env.VERIFY_FAR, DEFAULT_SETTINGS.verifyFar),
    identifyFpir: rate('IDENTIFY_FPIR', env.IDENTIFY_FPIR, DEFAULT_SETTINGS.identifyFpir),
    floorFar: rate('THRESHOLD_FLOOR_FAR', env.THRESHOLD_FLOOR_FAR, DEFAULT_SETTINGS.floorFar, true),
  };
}
