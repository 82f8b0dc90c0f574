/**
 * Compares `npm run bench` results side by side, for tuning notes (bench/results/tuning.md):
 *
 *   npx tsx bench/compare.ts baseline=/tmp/a1.json,/tmp/a2.json "eager dispatch"=/tmp/b1.json,/tmp/b2.json …
 *
 * One row per (setting, C), averaged over that setting's result files (repeat runs, since a shared machine is
 * noisy): sagas/s of ours and the ceiling, POST and update-with-start p50, CPU-seconds per order of the system's
 * processes (API + worker + Temporal + PostgreSQL + simulator) and of the whole machine, and the worker's peak RSS.
 */
import { readFileSync } from 'node:fs';
import type { LegResult } from './lib/legs';
import type { BenchResults } from './lib/report';
import { mean } from './lib/stats';

const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '–');
const f3 = (n: number) => (Number.isFinite(n) ? n.toFixed(3) : '–');
const system = (l: LegResult) => (l.cpu.api + l.cpu.worker + l.cpu.temporal + l.cpu.postgres + l.cpu.simulator) / l.orders;

function main(): void {
  const inputs = process.argv.slice(2).map((arg) => {
    const eq = arg.lastIndexOf('=');
    const files = arg.slice(eq + 1).split(',');
    return { name: arg.slice(0, eq), legs: files.flatMap((f) => (JSON.parse(readFileSync(f, 'utf8')) as BenchResults).legs) };
  });
  if (inputs.length === 0) {
    console.error('usage: npx tsx bench/compare.ts name=results.json[,more.json] …');
    process.exit(2);
  }
  console.log('| setting (runs) | C | ours sagas/s | ceiling sagas/s | ours ÷ ceiling | POST p50 ms | UwS p50 ms | CPU-s/order ours | CPU-s/order ceiling | machine CPU-s/order ours | worker peak RSS MiB |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const { name, legs } of inputs) {
    for (const concurrency of [...new Set(legs.map((l) => l.concurrency))]) {
      const ours = legs.filter((l) => l.kind === 'ours' && l.concurrency === concurrency);
      const ceiling = legs.filter((l) => l.kind === 'ceiling' && l.concurrency === concurrency);
      const rate = (ls: LegResult[]) => mean(ls.map((l) => l.sagasPerSecond));
      console.log(
        `| ${name} (${ours.length}) | ${concurrency} | ${f1(rate(ours))} | ${f1(rate(ceiling))} | ${(rate(ours) / rate(ceiling)).toFixed(2)} | ` +
          `${f1(mean(ours.map((l) => l.placement.p50)))} | ${f1(mean(ceiling.map((l) => l.placement.p50)))} | ` +
          `${f3(mean(ours.map(system)))} | ${f3(mean(ceiling.map(system)))} | ${f3(mean(ours.map((l) => l.cpu.machine / l.orders)))} | ` +
          `${Math.max(...ours.map((l) => l.workerRssPeakMiB)).toFixed(0)} |`,
      );
    }
  }
}

main();
