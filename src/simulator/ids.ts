import { randomBytes } from 'node:crypto';

/** Provider-style opaque ids with a type prefix (`pay_…`, `re_…`, `dp_…`, `evt_…`, `ntf_…`, `sub_…`, `shp_…`), as real PSPs use. */
export function newId(prefix: 'pay' | 're' | 'dp' | 'evt' | 'ntf' | 'sub' | 'shp'): string {
  return `${prefix}_${randomBytes(12).toString('hex')}`;
}
