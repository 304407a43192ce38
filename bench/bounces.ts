// Reading bounce reports: 10,000 DSNs and feedback reports from the fixture corpus (test/fixtures/reports, each
// with its own address and Message-ID) through newsdesk's parser, against mailparser's simpleParser alone on the
// same mails, in the same run. Goal: at least 50 % of mailparser's rate.
//   npx tsx bench/bounces.ts
import { simpleParser } from 'mailparser';
import { parseReport } from '../src/bounces/parse.js';
import { reportFixture } from '../test/helpers/reports.js';

const N = Number(process.env.BENCH_N ?? 10_000);
const RUNS = Number(process.env.RUNS ?? 3);
const files = ['postfix-hard.eml', 'postfix-soft.eml', 'exim-hard.eml', 'exchange-hard.eml', 'gmail-hard.eml', 'ses-hard.eml', 'delayed.eml', 'yahoo-arf.eml', 'jmrp-arf.eml'];
const mails = Array.from({ length: N }, (_, i) =>
  reportFixture(files[i % files.length]!, { verp: `bounces+${i.toString(36)}-abcdefghij@news.example.com`, msgid: `issue-7.sub-${i}@news.example.com`, rcpt: `reader${i}@example.org` }),
);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function time(fn: (m: Buffer) => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  for (const m of mails) await fn(m);
  return performance.now() - t0;
}

const bare: number[] = [];
const ours: number[] = [];
let recognised = 0;
await time((m) => simpleParser(m)); // warm-up
for (let r = 0; r < RUNS; r++) {
  bare.push(await time((m) => simpleParser(m, { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true })));
  recognised = 0;
  ours.push(
    await time(async (m) => {
      const p = await parseReport(m);
      if (p.type === 'dsn' || p.type === 'arf') recognised++;
    }),
  );
}
const rate = (ms: number) => Math.round((N / ms) * 1000);
console.log(`${N} reports (${files.length} shapes), medians of ${RUNS}`);
console.log(`mailparser simpleParser alone : ${rate(median(bare)).toLocaleString('en')} mails/s (baseline)`);
console.log(`newsdesk parseReport          : ${rate(median(ours)).toLocaleString('en')} mails/s = ${((median(bare) / median(ours)) * 100).toFixed(0)} % of mailparser's rate (goal ≥ 50 %); ${recognised} of ${N} recognised as DSN or ARF`);
