import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { findGo, onPath, TOOLS_DIR } from './temporal-cli';

/** Stripe's API mock, pinned: it answers the Stripe API from fixtures (stateless) and validates every request. */
export const STRIPE_MOCK_MODULE = 'github.com/stripe/stripe-mock@v0.203.0';

/**
 * Finds stripe-mock: STRIPE_MOCK, then .tools/, then PATH. When there is none it builds the pinned release with
 * `go install` into .tools/ (seconds with a warm Go cache). Without Go it stops with instructions.
 */
export function ensureStripeMock(log: (msg: string) => void = (m) => process.stderr.write(m + '\n')): string {
  const fromEnv = process.env.STRIPE_MOCK;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`STRIPE_MOCK points at ${fromEnv}, which does not exist`);
    return fromEnv;
  }
  const local = path.join(TOOLS_DIR, 'stripe-mock');
  if (existsSync(local)) return local;
  const inPath = onPath('stripe-mock');
  if (inPath) return inPath;

  const go = findGo();
  if (!go) {
    throw new Error(
      [
        'No stripe-mock found (looked at $STRIPE_MOCK, .tools/stripe-mock and PATH) and no Go toolchain to build one.',
        'Get it one of these ways, then run again:',
        '  - a package manager: `brew install stripe/stripe-mock/stripe-mock`',
        '  - Go 1.21+: `GOBIN=$PWD/.tools go install ' + STRIPE_MOCK_MODULE + '`',
      ].join('\n'),
    );
  }
  log(`Building stripe-mock (${STRIPE_MOCK_MODULE}) into .tools/…`);
  execFileSync(go, ['install', STRIPE_MOCK_MODULE], {
    env: { ...process.env, GOBIN: TOOLS_DIR, GOFLAGS: '-mod=mod' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (!existsSync(local)) throw new Error(`go install finished but ${local} is missing`);
  return local;
}

export interface RunningStripeMock {
  /** protocol://host:port, what STRIPE_API_BASE takes. */
  url: string;
  stop(): Promise<void>;
}

const HTTP_LISTENING = /Listening for HTTP at address: (\S+)/;

/**
 * Starts stripe-mock on a free loopback port and resolves once it listens. Both listeners get an explicit
 * ephemeral address: given only -http-addr, stripe-mock also opens HTTPS on its fixed default port 12112, which
 * two test runs at once would fight over.
 */
export function startStripeMock(binary = ensureStripeMock(), timeoutMs = 30_000): Promise<RunningStripeMock> {
  const child = spawn(binary, ['-http-addr', '127.0.0.1:0', '-https-addr', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => fail(new Error(`stripe-mock did not listen within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const fail = (err: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(err);
    };
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = HTTP_LISTENING.exec(output);
      if (!match) return;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stdout?.resume();
      child.stderr?.resume();
      resolve({ url: `http://${match[1]}`, stop: () => stopChild(child) });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.once('error', fail);
    child.once('exit', (code) => fail(new Error(`stripe-mock exited with ${code} before listening:\n${output}`)));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
