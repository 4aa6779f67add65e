// Kill wrangler dev in the middle of enrolments and check nothing is half-written (scripts/lib/faults.ts).
// Usage: npx tsx scripts/faults.ts [--rounds 3] [--seed n]
import { Command } from 'commander';
import { runFaults } from './lib/faults.js';

const o = new Command().option('--rounds <n>', 'kill/restart rounds', '3').option('--seed <n>', 'seed for the kill delays').parse().opts();
const r = await runFaults({ rounds: Number(o.rounds), seed: o.seed ? Number(o.seed) : undefined, log: (m) => console.error(m) });
console.log(JSON.stringify(r, null, 2));
console.log(r.ok ? 'PASS: every identity absent or complete, gallery = records' : `FAIL:\n${r.problems.join('\n')}`);
process.exitCode = r.ok ? 0 : 1;
