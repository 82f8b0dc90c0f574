import { randomBytes } from 'node:crypto';

/** Provider-style opaque ids with a type prefix (`pay_…`, `re_…`, `evt_…`, `ntf_…`, `sub_…`), as real PSPs use. */
export function newId(prefix: 'pay' | 're' | 'evt' | 'ntf' | 'sub'): string {
  return `${prefix}_${randomBytes(12).toString('hex')}`;
}
