import { describe, expect, it } from 'vitest';
import type { Io } from '../../../src/cli/output.ts';
import type { ObjectHealth } from '../../../src/deploy/kubernetes/health.ts';
import { createProgress } from '../../../src/deploy/kubernetes/progress.ts';

const io = (format: Io['format'] = 'text'): Io => ({ out: () => {}, err: () => {}, color: false, format });
const web = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web' };
const svc = { apiVersion: 'v1', kind: 'Service', namespace: 'shop', name: 'web' };
const h = (ref: typeof web, state: ObjectHealth['state'], message: string): ObjectHealth => ({
  ref,
  state,
  message,
});

function harness(o: { tty: boolean; format?: Io['format'] }) {
  const out: string[] = [];
  let t = 0;
  const p = createProgress(io(o.format), { tty: o.tty, now: () => t, write: (s) => out.push(s) });
  return { p, out, at: (ms: number) => (t = ms) };
}

describe('progress display', () => {
  it('prints one line per state change when not on a terminal', () => {
    const { p, out, at } = harness({ tty: false });
    p.update([h(web, 'in-progress', '0/3 updated'), h(svc, 'current', 'exists')]);
    at(1200);
    p.update([h(web, 'in-progress', '1/3 available'), h(svc, 'current', 'exists')]);
    at(3400);
    p.update([h(web, 'current', '3/3 available'), h(svc, 'current', 'exists')]);
    p.done();
    expect(out).toEqual([
      '  Service/web: ready after 0.0s (exists)\n',
      '  Deployment/web: ready after 3.4s (3/3 available)\n',
    ]);
  });

  it('redraws a table in place on a terminal', () => {
    const { p, out, at } = harness({ tty: true });
    p.update([h(web, 'in-progress', '0/3 updated'), h(svc, 'current', 'exists')]);
    at(2000);
    p.update([h(web, 'failed', 'pod web-1: container web: CrashLoopBackOff'), h(svc, 'current', 'exists')]);
    p.done();
    expect(out[0]).not.toContain('\x1b[');
    expect(out[0]).toMatch(/waiting +Deployment\/web +0\.0s +0\/3 updated/);
    expect(out[1]?.startsWith('\x1b[2A\x1b[0J')).toBe(true);
    expect(out[1]).toMatch(/failed +Deployment\/web +2\.0s +pod web-1: container web: CrashLoopBackOff/);
    expect(out[1]).toMatch(/ready +Service\/web +0\.0s +exists/);
  });

  it('is silent in JSON mode', () => {
    const { p, out } = harness({ tty: true, format: 'json' });
    p.update([h(web, 'failed', 'x')]);
    p.done();
    expect(out).toEqual([]);
  });
});
