// A one-line progress bar on stderr, drawn only for people: when stdout is a terminal and the
// command was not asked for --json. Otherwise every call is a no-op.

export type Progress = ((done: number, total: number) => void) & { end(): void };

export function progressBar(label: string, enabled: boolean, stream: NodeJS.WriteStream = process.stderr): Progress {
  let last = -1;
  const bar = Object.assign((done: number, total: number) => {
    if (!enabled || total <= 0) return;
    const pct = Math.floor((100 * done) / total);
    if (pct === last) return;
    last = pct;
    const w = 30, fill = Math.round((w * done) / total);
    stream.write(`\r${label} [${'#'.repeat(fill)}${'.'.repeat(w - fill)}] ${pct}% (${done}/${total})`);
  }, {
    end() {
      if (enabled && last >= 0) stream.write('\n');
      last = -1;
    },
  });
  return bar;
}

export const wantProgress = (json: boolean | undefined) => !json && process.stdout.isTTY === true;
