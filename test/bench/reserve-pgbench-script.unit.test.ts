import { reservePgbenchScript, withPgbenchParams } from '../../bench/reserve-pgbench-script';
import { RESERVE_SQL } from '../../src/catalog/reserve-stock';
import { RELEASE_SQL } from '../../src/catalog/stock-transitions';

/** The text between the placeholders of one of our statements, which the script must carry unchanged. */
const fixedParts = (sql: string) => sql.trim().split('?');

describe('the pgbench script of npm run bench:reserve', () => {
  const script = reservePgbenchScript();
  const statements = script
    .split('\n')
    .filter((line) => !line.startsWith('--') && !line.startsWith('\\'))
    .join('\n')
    .split(';\n')
    .map((s) => s.trim())
    .filter(Boolean);

  it('runs the product’s own reserve and release statements, only their parameters replaced by pgbench expressions', () => {
    expect(statements).toHaveLength(2);
    const [reserve, release] = statements;
    for (const [statement, sql] of [
      [reserve, RESERVE_SQL],
      [release, RELEASE_SQL],
    ]) {
      let at = 0;
      for (const part of fixedParts(sql)) {
        const found = statement.indexOf(part, at);
        expect({ part, found: found >= at }).toEqual({ part, found: true });
        at = found + part.length;
      }
      expect(statement).not.toContain('?');
    }
  });

  it('reserves one unit of a product of the scenario for a new order per transaction', () => {
    expect(script).toContain('\\set k random(1, :nproducts)');
    expect(statements[0]).toContain(`unnest(ARRAY[md5(':prefix' || :k)::uuid]::uuid[], '{1}'::int[])`);
    expect(statements[0]).toContain(`WHERE s.order_id = md5(':client_id-:r1-:r2')::uuid`);
    expect(statements[1]).toContain(`s.order_id = md5(':client_id-:r1-:r2')::uuid`);
  });

  it('refuses a statement whose placeholders no longer match the parameters it is given', () => {
    expect(() => withPgbenchParams('SELECT ? + ?', ['1'])).toThrow('expected 1 placeholders, found 2: the statement changed shape');
    expect(withPgbenchParams('SELECT ? + ?', ['1', '2'])).toBe('SELECT 1 + 2');
  });
});
