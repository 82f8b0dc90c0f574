import { execFileSync } from 'node:child_process';
import path from 'node:path';

/**
 * Validates an OpenAPI document against the official JSON schemas (2.0 to 3.2) with
 * @seriousme/openapi-schema-validator. The package is ESM-only and jest runs tests as CommonJS, so it runs in a
 * child Node process.
 */
export function validateOpenApi(document: unknown): { valid: boolean; version?: string; errors?: unknown } {
  const entry = path.resolve(
    __dirname,
    '..',
    '..',
    'node_modules',
    '@seriousme',
    'openapi-schema-validator',
    'index.js',
  );
  const script = `
    import { Validator } from ${JSON.stringify(entry)};
    let text = '';
    for await (const chunk of process.stdin) text += chunk;
    const validator = new Validator();
    const result = await validator.validate(JSON.parse(text));
    process.stdout.write(JSON.stringify({ ...result, version: validator.version }));
  `;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    input: JSON.stringify(document),
    encoding: 'utf8',
  });
  return JSON.parse(out);
}
