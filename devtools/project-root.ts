import path from 'node:path';

/** The repository's root (devtools/ sits right below it): where .tools/ and .data/ live. */
export const PROJECT_ROOT = path.resolve(__dirname, '..');
