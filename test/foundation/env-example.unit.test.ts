import { readFileSync } from 'node:fs';
import path from 'node:path';
import { launcherSettingsSchema } from '../../devtools/launcher/settings';
import { configSchema } from '../../src/config';

const root = path.resolve(__dirname, '..', '..');

/** The variables .env.example documents: one `NAME=` line each, commented out or not. */
function documentedInEnvExample(): Set<string> {
  const text = readFileSync(path.join(root, '.env.example'), 'utf8');
  return new Set([...text.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));
}

describe('.env.example', () => {
  it('documents every variable the config schema reads, and no other', () => {
    const documented = documentedInEnvExample();
    // The services' settings, and the launcher's (npm start, chaos, bench), which the services never read.
    const read = [...Object.keys(configSchema.shape), ...Object.keys(launcherSettingsSchema.shape)];
    expect(read.filter((name) => !documented.has(name))).toEqual([]);
    // Documented but read elsewhere: by the logger, the CLI finder and the worker factory, outside the schema.
    const outsideSchema = ['LOG_FORMAT', 'TEMPORAL_CLI', 'WORKFLOW_BUNDLE_PATH'];
    expect([...documented].filter((name) => !read.includes(name) && !outsideSchema.includes(name))).toEqual([]);
  });

  it('names the same variables as the configuration tables of docs/operations.md', () => {
    const inExample = documentedInEnvExample();
    const page = readFileSync(path.join(root, 'docs', 'operations.md'), 'utf8');
    const tables = page.split('<!-- settings')[1]?.split('<!-- /settings -->')[0] ?? '';
    // The first column of every row: the variables it names, in backticks.
    const inTables = new Set(
      tables
        .split('\n')
        .filter((line) => line.startsWith('| `'))
        .flatMap((line) => [...line.split('|')[1].matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1])),
    );
    expect([...inExample].filter((name) => !inTables.has(name))).toEqual([]);
    expect([...inTables].filter((name) => !inExample.has(name))).toEqual([]);
  });
});
