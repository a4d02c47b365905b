import { describe, expect, it } from 'vitest';
import type { PlannedChange } from '../../../src/deploy/kubernetes/apply.ts';
import { maskSecrets, objectDiffs, unifiedDiff } from '../../../src/deploy/kubernetes/diff.ts';

describe('unifiedDiff', () => {
  it('writes hunks with context and line numbers, like diff -u', () => {
    const a = 'a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n';
    const b = 'a\nb\nc\nd\nE\nf\ng\nh\ni\nj\nk\n';
    expect(unifiedDiff(a, b, 'live', 'predicted', 2)).toBe(
      [
        '--- live',
        '+++ predicted',
        '@@ -3,5 +3,5 @@',
        ' c',
        ' d',
        '-e',
        '+E',
        ' f',
        ' g',
        '@@ -9,2 +9,3 @@',
        ' i',
        ' j',
        '+k',
        '',
      ].join('\n'),
    );
  });
  it('is empty for equal texts and all additions against nothing', () => {
    expect(unifiedDiff('x\n', 'x\n', 'a', 'b')).toBe('');
    expect(unifiedDiff('', 'x\ny\n', '/dev/null', 'b')).toBe(
      '--- /dev/null\n+++ b\n@@ -0,0 +1,2 @@\n+x\n+y\n',
    );
  });
});

describe('Secret values', () => {
  const secret = (data: Record<string, string>) => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 's' },
    data,
  });
  it('never show: equal ones become ***, changed ones say which side', () => {
    const [before, after] = maskSecrets(
      secret({ A: 'c2VjcmV0', B: 'b2xk' }),
      secret({ A: 'c2VjcmV0', B: 'bmV3' }),
    );
    expect(before).toMatchObject({ data: { A: '***', B: '*** (before)' } });
    expect(after).toMatchObject({ data: { A: '***', B: '*** (after)' } });
    const change = {
      ref: { apiVersion: 'v1', kind: 'Secret', name: 's' },
      key: 'v1/Secret//s',
      desired: secret({}),
      live: secret({ B: 'b2xk' }),
      predicted: secret({ B: 'bmV3' }),
      action: 'update',
      force: false,
      drift: [],
    } satisfies PlannedChange;
    const [d] = objectDiffs([change]);
    expect(d?.diff).toContain('-  B: "*** (before)"');
    expect(d?.diff).not.toMatch(/b2xk|bmV3/);
  });
  it('leave other kinds alone', () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { A: '1' } };
    expect(maskSecrets(cm, cm)).toEqual([cm, cm]);
  });
});

describe('objectDiffs', () => {
  it('lists changed, created and deleted objects, never unchanged ones', () => {
    const cm = (v: string) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', resourceVersion: v },
      data: { A: v },
    });
    const base = { key: 'k', force: false, drift: [] };
    const diffs = objectDiffs(
      [
        {
          ...base,
          ref: { apiVersion: 'v1', kind: 'ConfigMap', name: 'c' },
          desired: cm('2'),
          live: cm('1'),
          predicted: cm('2'),
          action: 'update',
        },
        {
          ...base,
          ref: { apiVersion: 'v1', kind: 'ConfigMap', name: 'same' },
          desired: cm('1'),
          live: cm('1'),
          predicted: cm('1'),
          action: 'unchanged',
        },
        {
          ...base,
          ref: { apiVersion: 'v1', kind: 'ConfigMap', name: 'new' },
          desired: cm('3'),
          predicted: cm('3'),
          action: 'create',
        },
      ],
      [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'old' } }],
    );
    expect(diffs.map((d) => `${d.action} ${d.object}`)).toEqual([
      'update ConfigMap/c',
      'create ConfigMap/new',
      'delete Service/old',
    ]);
    expect(diffs[0]?.diff).toContain('-  A: "1"\n+  A: "2"');
    expect(diffs[0]?.diff).not.toContain('resourceVersion');
    expect(diffs[1]?.diff).toMatch(/^--- \/dev\/null/);
    expect(diffs[2]?.diff).toContain('+++ /dev/null');
  });
});
