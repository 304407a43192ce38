// Preloaded (node --import) into a command that bench/send.ts measures: samples its RSS twice a second and, as it
// exits, writes the peak (the kernel's own high-water mark) and the samples to PEAK_RSS_FILE.
import { writeFileSync } from 'node:fs';
const samples = [];
const started = Date.now();
const timer = setInterval(() => { samples.push(Math.round(process.memoryUsage().rss / 1048576)); if (process.env.RSS_DEBUG) { const m = process.memoryUsage(); process.stderr.write(`rss ${m.rss >> 20} heapTotal ${m.heapTotal >> 20} heapUsed ${m.heapUsed >> 20} external ${m.external >> 20} ab ${m.arrayBuffers >> 20}\n`); } }, 500);
timer.unref();
process.on('exit', () => {
  const out = { peakRssMb: process.resourceUsage().maxRSS / 1024, seconds: (Date.now() - started) / 1000, samples };
  writeFileSync(process.env.PEAK_RSS_FILE, JSON.stringify(out));
});
