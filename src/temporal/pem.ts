import { readFileSync } from 'node:fs';
import { z } from 'zod';

const PEM_BLOCK = /-----BEGIN [A-Z0-9 ]+-----[\s\S]+?-----END [A-Z0-9 ]+-----/;

/**
 * A certificate or key setting: the PEM text itself (what secret stores inject; `\n` escapes are accepted for
 * one-line variables) or the path of a PEM file (what mounted secrets look like). Either way the result is PEM text,
 * read once at start-up so a wrong path stops the process with the variable's name.
 */
export const pemOrFile = z.string().transform((value, ctx) => {
  const trimmed = value.trim();
  let text: string;
  if (trimmed.startsWith('-----BEGIN')) {
    text = trimmed.replace(/\\n/g, '\n') + '\n';
  } else {
    try {
      text = readFileSync(trimmed, 'utf8');
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));
      ctx.addIssue({ code: 'custom', message: `expected PEM text or a readable PEM file; cannot read "${trimmed}" (${reason})` });
      return z.NEVER;
    }
  }
  if (!PEM_BLOCK.test(text)) {
    ctx.addIssue({ code: 'custom', message: 'expected PEM (-----BEGIN …----- … -----END …-----)' });
    return z.NEVER;
  }
  return text;
});
