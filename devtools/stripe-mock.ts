import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { ensureGoTool } from './go-tools';

/** Stripe's API mock, pinned: it answers the Stripe API from fixtures (stateless) and validates every request. */
export const STRIPE_MOCK_VERSION = 'v0.203.0';

/** stripe-mock (STRIPE_MOCK, .tools/stripe-mock, PATH, or built). */
export function ensureStripeMock(log?: (msg: string) => void): string {
  return ensureGoTool(
    {
      label: 'stripe-mock',
      pkg: 'github.com/stripe/stripe-mock',
      version: STRIPE_MOCK_VERSION,
      binary: 'stripe-mock',
      envVar: 'STRIPE_MOCK',
      pathName: 'stripe-mock',
      goVersion: '1.21',
      otherWays: ['a package manager: `brew install stripe/stripe-mock/stripe-mock`'],
    },
    { log },
  );
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
