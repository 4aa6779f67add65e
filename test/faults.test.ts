// Crash consistency (issue 6): SIGKILL wrangler dev mid-enrolment, restart on the same local state;
// no identity may be half-written and the rebuilt gallery must match the identity records.
import { expect, it } from 'vitest';
import { runFaults } from '../scripts/lib/faults.js';

it('a killed enrolment leaves each identity absent or complete, and the gallery matches the records', async () => {
  const r = await runFaults({ rounds: 3, log: (m) => console.log(m) });
  expect(r.problems).toEqual([]);
  expect(r.rounds).toHaveLength(3);
  for (const round of r.rounds) expect(['absent', 'complete', 'old']).toContain(round.after);
  expect(r.listed).toContain('base');
  expect(r.galleryIdentities).toBe(r.listed.length);
}, 240_000);
