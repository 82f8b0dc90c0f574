import { readFileSync } from 'node:fs';
import path from 'node:path';
import { launcherSettingsSchema } from '../../devtools/launcher/settings';
import { configSchema } from '../../src/config';

describe('.env.example', () => {
  it('documents every variable the config schema reads, and no other', () => {
    const text = readFileSync(path.resolve(__dirname, '..', '..', '.env.example'), 'utf8');
    const documented = new Set([...text.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));
    // The services' settings, and the launcher's (npm start, chaos, bench), which the services never read.
    const read = [...Object.keys(configSchema.shape), ...Object.keys(launcherSettingsSchema.shape)];
    expect(read.filter((name) => !documented.has(name))).toEqual([]);
    // Documented but read elsewhere: by the logger, the CLI finder and the worker factory, outside the schema.
    const outsideSchema = ['LOG_FORMAT', 'TEMPORAL_CLI', 'WORKFLOW_BUNDLE_PATH'];
    expect([...documented].filter((name) => !read.includes(name) && !outsideSchema.includes(name))).toEqual([]);
  });
});
