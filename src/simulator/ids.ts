import { randomBytes } from 'node:crypto';

/** Provider-style opaque ids with a type prefix (`pay_…`, `re_…`, `dp_…`, `evt_…`, `ntf_…`, `sub_…`), as real PSPs use. */
export function newId(prefix: 'pay' | 're' | 'dp' | 'evt' | 'ntf' | 'sub'): string {
  return `${prefix}_${randomBytes(12).toString('hex')}`;
}
