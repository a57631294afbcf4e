/* global process, console */
// `node test/bench/profile-summary.mjs <file.cpuprofile> [top] [from-to,...]`: where a server's CPU went, from a profile taken with
// `BENCH_SERVER_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' npm run bench -- --only R`. Prints self time by
// package (node_modules/<pkg>, our src/, node: internals) and the top functions, as shares of the sampled time
// (idle excluded), which is what the README's "Performance" section quotes. The optional windows (seconds since the
// profile started, e.g. `11-14,17-20`) keep only a scenario's rounds; without them it prints the busy share per second
// first, which is how to find those windows.
import { readFileSync } from 'node:fs';

const [file, topArg, windowsArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node test/bench/profile-summary.mjs <file.cpuprofile> [top]');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const windows = (windowsArg ?? '').split(',').filter(Boolean).map((w) => w.split('-').map(Number));
const inWindow = (us) => !windows.length || windows.some(([from, to]) => us >= from * 1e6 && us < to * 1e6);
const self = new Map();
const perSecond = new Map();
let t = 0;
for (let i = 0; i < profile.samples.length; i++) {
  const dt = profile.timeDeltas[i] ?? 0;
  t += dt;
  if (!inWindow(t)) continue;
  self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + dt);
  if (byId.get(profile.samples[i]).callFrame.functionName !== '(idle)') perSecond.set(Math.floor(t / 1e6), (perSecond.get(Math.floor(t / 1e6)) ?? 0) + dt);
}
if (!windows.length) console.log(`busy share per second: ${[...perSecond].map(([s, us]) => `${s}:${(us / 1e4).toFixed(0)}%`).join(' ')}`);

const area = (url) => {
  if (!url) return '(native/vm)';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1];
  if (url.startsWith('node:')) return 'node: internals';
  const s = /\/dist\/(.*?)\/[^/]*$/.exec(url);
  return s ? `ours: ${s[1]}` : url;
};
const byArea = new Map();
const byFn = new Map();
let busy = 0;
for (const [id, us] of self) {
  const { callFrame } = byId.get(id);
  if (callFrame.functionName === '(idle)') continue;
  busy += us;
  const a = callFrame.functionName.startsWith('(') ? callFrame.functionName : area(callFrame.url);
  byArea.set(a, (byArea.get(a) ?? 0) + us);
  const f = `${callFrame.functionName || '(anonymous)'} ${callFrame.url.replace(/.*node_modules\//, '').replace(/.*\/dist\//, 'dist/')}:${callFrame.lineNumber + 1}`;
  byFn.set(f, (byFn.get(f) ?? 0) + us);
}
const pct = (us) => `${((100 * us) / busy).toFixed(1).padStart(5)}%`;
console.log(`busy (non-idle) time: ${(busy / 1e6).toFixed(2)} s of ${((profile.endTime - profile.startTime) / 1e6).toFixed(2)} s`);
console.log('\nself time by area:');
for (const [a, us] of [...byArea].sort((x, y) => y[1] - x[1]).slice(0, top)) console.log(`${pct(us)}  ${a}`);
console.log('\ntop functions (self):');
for (const [f, us] of [...byFn].sort((x, y) => y[1] - x[1]).slice(0, top)) console.log(`${pct(us)}  ${f}`);
