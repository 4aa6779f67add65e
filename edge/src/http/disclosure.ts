// What an identify answer discloses to the key that asked. With the identify:candidates scope: all of
// it. Without: the decision and the matched id only, no candidate list (so a key cannot read who is
// enrolled), and the match's scores rounded to SCORE_DECIMALS places (so repeated queries cannot
// climb on small score differences). Applied to the finished answer, after the route's own logic.
import type { Context } from 'hono';

export const SCORE_DECIMALS = 3;
const round = (x: number) => Math.round(x * 10 ** SCORE_DECIMALS) / 10 ** SCORE_DECIMALS;

interface Scored {
  similarity: number;
  distance: number;
}

export function discloseIdentify<A extends { match: Scored | null; candidates: unknown }>(c: Context, answer: A): A | Omit<A, 'candidates'> {
  if (c.get('principal')?.scopes.has('identify:candidates')) return answer;
  const { candidates: _, match, ...rest } = answer;
  return { ...rest, match: match && { ...match, similarity: round(match.similarity), distance: round(match.distance) } } as Omit<A, 'candidates'>;
}
