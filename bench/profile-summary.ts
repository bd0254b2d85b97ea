// Summarizes a V8 .cpuprofile (node --cpu-prof; BENCH_PROFILE in bench/http-describe-model.ts):
// the share of busy samples by self frame and by where the code lives (package or src/ file).
//   node --import tsx bench/profile-summary.ts <file.cpuprofile> [top=25]
import fs from 'node:fs';

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
const file = process.argv[2];
if (!file) throw new Error('usage: profile-summary <file.cpuprofile> [top]');
const top = Number(process.argv[3] ?? 25);
const prof = JSON.parse(fs.readFileSync(file, 'utf8')) as { nodes: Node[]; samples: number[] };
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const counts = new Map<number, number>();
for (const s of prof.samples) counts.set(s, (counts.get(s) ?? 0) + 1);

const where = (url: string): string => {
  if (!url) return '(native/V8)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1]!;
  const src = /\/((?:src|bench)\/.*)$/.exec(url);
  if (src) return src[1]!;
  if (url.startsWith('node:')) return url;
  return url;
};
const frames = new Map<string, number>();
const places = new Map<string, number>();
let busy = 0;
for (const [id, n] of counts) {
  const node = byId.get(id)!;
  const name = node.callFrame.functionName;
  if (name === '(idle)' || name === '(program)' || name === '(garbage collector)') {
    if (name !== '(idle)') { frames.set(name, (frames.get(name) ?? 0) + n); places.set(name, (places.get(name) ?? 0) + n); busy += n; }
    continue;
  }
  busy += n;
  const key = `${name || '(anonymous)'} ${where(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`;
  frames.set(key, (frames.get(key) ?? 0) + n);
  const place = where(node.callFrame.url);
  places.set(place, (places.get(place) ?? 0) + n);
}
const pct = (n: number) => ((100 * n) / busy).toFixed(1).padStart(5) + ' %';
console.log(`${busy} busy samples of ${prof.samples.length}`);
console.log('\nby place (self time):');
for (const [k, n] of [...places].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(n)}  ${k}`);
console.log('\nby frame (self time):');
for (const [k, n] of [...frames].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(n)}  ${k}`);
