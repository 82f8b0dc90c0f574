import { parseBenchOptions, stackConfigurations } from '../../bench/lib/options';
import { runOrder, stackDatabaseUrl, stackGroups } from '../../bench/lib/side-by-side';

// Settings compared with --compare are benched side by side, their runs taking turns, so that a drift in the
// machine's speed falls on each of them alike.
describe('bench stacks side by side', () => {
  it('groups the dev server stacks of one comparison; PostgreSQL-backed ones, and every stack without --compare, stand alone', () => {
    const compared = stackGroups(stackConfigurations(parseBenchOptions(['--compare', 'sampled-tracing', '--persistence', 'both'], {})));
    // Two PostgreSQL-backed Temporal clusters at once would exhaust PostgreSQL's connections.
    expect(compared.map((g) => g.map((c) => `${c.persistence}/${c.setting}`))).toEqual([
      ['dev/default', 'dev/tracing-sampled'],
      ['postgres/default'],
      ['postgres/tracing-sampled'],
    ]);
    const plain = stackGroups(stackConfigurations(parseBenchOptions(['--persistence', 'both'], {})));
    expect(plain.map((g) => g.length)).toEqual([1, 1]);
  });

  it('alternates the order of the runs: forwards, backwards, forwards', () => {
    expect([0, 1, 2, 3].map((run) => runOrder(['a', 'b', 'c'], run).join(''))).toEqual(['abc', 'cba', 'abc', 'cba']);
  });

  it('gives each stack of a group a database of its own', () => {
    const url = 'postgres://postgres@127.0.0.1:5432/order_saga_bench';
    expect([0, 1, 2].map((i) => new URL(stackDatabaseUrl(url, i)).pathname)).toEqual(['/order_saga_bench', '/order_saga_bench_2', '/order_saga_bench_3']);
  });
});
