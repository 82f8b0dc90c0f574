import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { GoTool } from '../../devtools/go-tools';
import { ensureGoTool } from '../../devtools/go-tools';

// Where a pinned Go tool is found, and how it is built when it is nowhere: with a stand-in `go` that writes a
// script where `go install` would put the binary, so no real build runs.
describe('ensureGoTool', () => {
  let dir: string;
  let toolsDir: string;
  let fakeGo: string;
  const savedPath = process.env.PATH;
  const quiet = () => undefined;

  const tool = (overrides: Partial<GoTool> = {}): GoTool => ({
    label: 'the widget',
    pkg: 'example.com/widget/cmd/server',
    version: 'v1.2.3',
    binary: 'widget-server-v1.2.3',
    goVersion: '1.23',
    ...overrides,
  });
  const executable = (file: string, text = '#!/bin/sh\n') => {
    writeFileSync(file, text);
    chmodSync(file, 0o755);
    return file;
  };
  const goCalls = () => (existsSync(`${fakeGo}.calls`) ? readFileSync(`${fakeGo}.calls`, 'utf8').trim().split('\n') : []);

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'go-tools-'));
    toolsDir = path.join(dir, 'tools');
    // Records its arguments and environment, then "installs" the package's last path element into GOBIN.
    fakeGo = executable(
      path.join(dir, 'go'),
      '#!/bin/sh\necho "$* GOBIN=$GOBIN GOFLAGS=$GOFLAGS" >> "$0.calls"\npkg="${2%@*}"\nprintf "#!/bin/sh\\n" > "$GOBIN/${pkg##*/}"\n',
    );
    delete process.env.WIDGET;
  });
  afterEach(() => {
    process.env.PATH = savedPath;
    delete process.env.WIDGET;
    rmSync(dir, { recursive: true, force: true });
  });

  it('builds the pinned version into a scratch GOBIN and moves it to its versioned name; the scratch dir goes', () => {
    const found = ensureGoTool(tool(), { toolsDir, findGo: () => fakeGo, log: quiet });
    expect(found).toBe(path.join(toolsDir, 'widget-server-v1.2.3'));
    expect(existsSync(found)).toBe(true);
    expect(readdirSync(toolsDir)).toEqual(['widget-server-v1.2.3']);
    const [call] = goCalls();
    expect(call).toMatch(/^install example\.com\/widget\/cmd\/server@v1\.2\.3 GOBIN=.*\/tools\/\.build-\S+ GOFLAGS=-mod=mod$/);
  });

  it('uses what .tools/ has without building', () => {
    const built = ensureGoTool(tool(), { toolsDir, findGo: () => fakeGo, log: quiet });
    expect(ensureGoTool(tool(), { toolsDir, findGo: () => fakeGo, log: quiet })).toBe(built);
    expect(goCalls()).toHaveLength(1);
  });

  it('the env var wins over .tools/, and one naming a missing file is an error', () => {
    const mine = executable(path.join(dir, 'my-widget'));
    process.env.WIDGET = mine;
    expect(ensureGoTool(tool({ envVar: 'WIDGET' }), { toolsDir, findGo: () => fakeGo })).toBe(mine);
    process.env.WIDGET = path.join(dir, 'missing');
    expect(() => ensureGoTool(tool({ envVar: 'WIDGET' }), { toolsDir, findGo: () => fakeGo })).toThrow(/WIDGET points at .*missing, which does not exist/);
    expect(goCalls()).toEqual([]);
  });

  it('looks on PATH only for a tool that names itself there', () => {
    const bin = path.join(dir, 'bin');
    mkdirSync(bin);
    const onPath = executable(path.join(bin, 'widget'));
    process.env.PATH = `${bin}${path.delimiter}${savedPath}`;
    expect(ensureGoTool(tool({ pathName: 'widget' }), { toolsDir, findGo: () => fakeGo })).toBe(onPath);
    expect(goCalls()).toEqual([]);
    expect(ensureGoTool(tool(), { toolsDir, findGo: () => fakeGo, log: quiet })).toBe(path.join(toolsDir, 'widget-server-v1.2.3'));
    expect(goCalls()).toHaveLength(1);
  });

  it('without Go, says where it looked and how to get the tool', () => {
    const noGo = () => ensureGoTool(tool({ envVar: 'WIDGET', otherWays: ['a package manager: `brew install widget`'] }), { toolsDir, findGo: () => undefined });
    expect(noGo).toThrow(
      [
        'Could not find the widget (looked at $WIDGET and .tools/widget-server-v1.2.3), and there is no Go toolchain to build it.',
        'Get it one of these ways, then run again:',
        '  - a package manager: `brew install widget`',
        `  - Go 1.23+: \`GOBIN=/tmp/gobin go install example.com/widget/cmd/server@v1.2.3 && mv /tmp/gobin/server ${path.join(toolsDir, 'widget-server-v1.2.3')}\``,
      ].join('\n'),
    );
    const sameName = () => ensureGoTool(tool({ pkg: 'example.com/widget', binary: 'widget', pathName: 'widget-not-on-path' }), { toolsDir, findGo: () => undefined });
    expect(sameName).toThrow(`(looked at .tools/widget and PATH)`);
    expect(sameName).toThrow(`Get it this way, then run again:\n  - Go 1.23+: \`GOBIN=${toolsDir} go install example.com/widget@v1.2.3\``);
  });
});
