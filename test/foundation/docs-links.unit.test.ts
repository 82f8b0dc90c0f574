import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { anchorsOf, brokenLinks, githubSlug, linkedFiles, markdownFiles } from './markdown-links';

const root = path.resolve(__dirname, '..', '..');

describe('relative links in the Markdown files', () => {
  it('finds the README, every docs page and the bench and chaos pages', () => {
    const files = markdownFiles(root);
    expect(files).toEqual(expect.arrayContaining(['README.md', 'docs/api.md', 'bench/README.md', 'chaos/README.md']));
    expect(files.filter((f) => f.startsWith('node_modules') || f.startsWith('.tools'))).toEqual([]);
  });

  it('every relative link resolves to a file, and every #anchor to a heading of its page', () => {
    const broken = markdownFiles(root).flatMap((file) => brokenLinks(root, file));
    expect(broken).toEqual([]);
  });

  it('the README links every page in docs/', () => {
    const pages = markdownFiles(root).filter((f) => f.startsWith(`docs${path.sep}`));
    const linked = new Set(linkedFiles(root, 'README.md'));
    expect(pages.filter((page) => !linked.has(page))).toEqual([]);
  });
});

describe("GitHub's heading anchors", () => {
  it.each([
    ['Why an order ended where it did: `failureReason` and history reasons', 'why-an-order-ended-where-it-did-failurereason-and-history-reasons'],
    ['An order in NEEDS_ATTENTION', 'an-order-in-needs_attention'],
    ["The Temporal dev server's persistence", 'the-temporal-dev-servers-persistence'],
    ['`npm run demo`', 'npm-run-demo'],
    ['Traces: from a request to its SQL', 'traces-from-a-request-to-its-sql'],
    ['MikroORM 6.6, not 7', 'mikroorm-66-not-7'],
    ['A [linked](x.md) *heading* — with a dash', 'a-linked-heading--with-a-dash'],
  ])('%s → #%s', (heading, slug) => {
    expect(githubSlug(heading)).toBe(slug);
  });

  it('numbers repeated headings and ignores headings inside code blocks', () => {
    const anchors = anchorsOf('# Setup\n\n## Setup\n\n```sh\n# not a heading\n```\n<a id="custom"></a>\n');
    expect([...anchors].sort()).toEqual(['custom', 'setup', 'setup-1']);
  });
});

describe('the link checker', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'docs-links-'));
    mkdirSync(path.join(dir, 'docs'));
    writeFileSync(path.join(dir, 'docs', 'page.md'), '# A page\n\n## Some section\n');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reports a missing file, a missing anchor and a link out of the repository, and passes good links', () => {
    writeFileSync(
      path.join(dir, 'README.md'),
      [
        '# Title',
        'Good: [page](docs/page.md), [section](docs/page.md#some-section), [here](#title), [web](https://example.com).',
        'Bad: [gone](docs/gone.md) and [no section](docs/page.md#other-section).',
        '`[in code](nowhere.md)` is not a link.',
        '```',
        '[in a fence](nowhere.md)',
        '```',
        '[outside](../elsewhere.md)',
        'A code span that wraps: `[not a link](nowhere.md)',
        'and goes on` before [a bad link](docs/page.md#missing).',
      ].join('\n'),
    );
    expect(brokenLinks(dir, 'README.md')).toEqual([
      { file: 'README.md', line: 3, target: 'docs/gone.md', problem: 'no such file' },
      { file: 'README.md', line: 3, target: 'docs/page.md#other-section', problem: 'no heading #other-section' },
      { file: 'README.md', line: 8, target: '../elsewhere.md', problem: 'points outside the repository' },
      { file: 'README.md', line: 10, target: 'docs/page.md#missing', problem: 'no heading #missing' },
    ]);
  });
});
