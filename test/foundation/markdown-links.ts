// Relative links in the repository's Markdown files, checked the way GitHub renders them: a link's file must exist,
// and its #anchor must name a heading of the target page (GitHub's slug rules) or an HTML anchor in it.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** Folders that hold no documentation of ours: installed packages, built tools, local data, build output. */
const SKIPPED_DIRS = new Set(['node_modules', '.tools', '.data', '.git', 'dist', 'coverage']);

export interface BrokenLink {
  file: string;
  line: number;
  target: string;
  problem: string;
}

/** Every *.md file under root, as paths relative to it. */
export function markdownFiles(root: string, dir = ''): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) return SKIPPED_DIRS.has(entry.name) ? [] : markdownFiles(root, relative);
    return entry.isFile() && entry.name.endsWith('.md') ? [relative] : [];
  });
}

/**
 * GitHub's anchor for a heading: the rendered text, lower-cased, every character that is not a letter, digit, mark,
 * connector (`_`), hyphen or space dropped, each space a hyphen. Inline code, emphasis and links render as their text.
 */
export function githubSlug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/[`*]/g, '');
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
    .replace(/ /g, '-');
}

/** The lines of a Markdown text outside fenced code blocks, with their 1-based numbers. */
function proseLines(markdown: string): { text: string; number: number }[] {
  const lines: { text: string; number: number }[] = [];
  let fence: string | undefined;
  markdown.split('\n').forEach((text, i) => {
    const opening = /^ {0,3}(`{3,}|~{3,})/.exec(text);
    if (fence) {
      if (opening && opening[1][0] === fence[0] && opening[1].length >= fence.length) fence = undefined;
    } else if (opening) {
      fence = opening[1];
    } else {
      lines.push({ text, number: i + 1 });
    }
  });
  return lines;
}

/** The anchors a page offers: one per heading (repeats get -1, -2, … as on GitHub), and HTML `id`/`name` anchors. */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { text } of proseLines(markdown)) {
    const heading = /^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(text);
    if (heading) {
      const slug = githubSlug(heading[1]);
      const count = seen.get(slug) ?? 0;
      seen.set(slug, count + 1);
      anchors.add(count === 0 ? slug : `${slug}-${count}`);
    }
    for (const html of text.matchAll(/<a\s[^>]*(?:id|name)="([^"]+)"/g)) anchors.add(html[1]);
  }
  return anchors;
}

/**
 * The link targets of a page with their line numbers: inline links, images and reference definitions. Code (fenced
 * blocks, and inline spans, which may wrap onto the next line of their paragraph) holds no links.
 */
export function linksOf(markdown: string): { target: string; line: number }[] {
  const prose = new Map(proseLines(markdown).map(({ text, number }) => [number, text]));
  const lines = markdown.split('\n').map((_, i) => prose.get(i + 1) ?? '');
  const withoutCode = lines
    .join('\n')
    .replace(/`(?:[^`\n]|\n(?![ \t]*\n))*`/g, (code) => code.replace(/[^\n]/g, ' '))
    .split('\n');
  return withoutCode.flatMap((text, i) => {
    const inline = [...text.matchAll(/\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]);
    const reference = [...text.matchAll(/^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/g)].map((m) => m[1]);
    return [...inline, ...reference].map((target) => ({ target, line: i + 1 }));
  });
}

/** Whether a target leaves the repository: a URL with a scheme (https:, mailto:, …) or a protocol-relative one. */
function isExternal(target: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//');
}

/** Where a link of a page points: the file (absolute) and the anchor; undefined for an external or empty link. */
function resolveLink(root: string, file: string, target: string): { resolved: string; anchor?: string } | undefined {
  if (target === '' || isExternal(target)) return undefined;
  const hash = target.indexOf('#');
  const pathPart = decodeURIComponent(hash < 0 ? target : target.slice(0, hash));
  const anchor = hash < 0 ? undefined : decodeURIComponent(target.slice(hash + 1));
  const source = path.join(root, file);
  return { resolved: pathPart === '' ? source : path.resolve(path.dirname(source), pathPart), anchor };
}

/** The files (relative to root) a Markdown file links to. */
export function linkedFiles(root: string, file: string): string[] {
  return linksOf(readFileSync(path.join(root, file), 'utf8')).flatMap(({ target }) => {
    const link = resolveLink(root, file, target);
    return link ? [path.relative(root, link.resolved)] : [];
  });
}

/** The relative links of one Markdown file (relative to root) that do not resolve. */
export function brokenLinks(root: string, file: string): BrokenLink[] {
  const anchorCache = new Map<string, Set<string>>();
  const anchorsIn = (page: string) => {
    if (!anchorCache.has(page)) anchorCache.set(page, anchorsOf(readFileSync(page, 'utf8')));
    return anchorCache.get(page)!;
  };
  return linksOf(readFileSync(path.join(root, file), 'utf8')).flatMap(({ target, line }): BrokenLink[] => {
    const link = resolveLink(root, file, target);
    if (!link) return [];
    const { resolved, anchor } = link;
    if (!resolved.startsWith(path.resolve(root) + path.sep)) return [{ file, line, target, problem: 'points outside the repository' }];
    if (!existsSync(resolved)) return [{ file, line, target, problem: 'no such file' }];
    if (anchor === undefined || !resolved.endsWith('.md') || !statSync(resolved).isFile()) return [];
    return anchorsIn(resolved).has(anchor) ? [] : [{ file, line, target, problem: `no heading #${anchor}` }];
  });
}
