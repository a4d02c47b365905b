import { describe, expect, it } from 'vitest';
import { deployment, run, where } from '../_audit.ts';

describe('duplicate-env-var', () => {
  it('fires once, at the second occurrence', () => {
    const doc = deployment(
      '- name: a\n  image: x:1\n  env:\n    - { name: MODE, value: a }\n    - { name: PORT, value: "1" }\n    - { name: MODE, value: b }\n    - { name: MODE, value: c }',
    );
    expect(run('duplicate-env-var', doc)).toEqual([where(doc, 'MODE', 2)]);
  });

  it('does not fire on distinct names', () => {
    expect(
      run(
        'duplicate-env-var',
        deployment('- name: a\n  image: x:1\n  env: [{ name: A, value: "1" }, { name: B, value: "2" }]'),
      ),
    ).toEqual([]);
  });
});
