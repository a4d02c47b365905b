import { describe, expect, it } from 'vitest';
import { serverMinor, versionSupported } from '../../../src/deploy/kubernetes/prerequisites.ts';

describe('server version', () => {
  it('reads major/minor as servers report them (some add a +)', () => {
    expect(serverMinor('1', '34')).toBe('1.34');
    expect(serverMinor('1', '30+')).toBe('1.30');
  });
  it('is supported within the bundled schema versions only', () => {
    expect(versionSupported('1.29')).toBe(true);
    expect(versionSupported('1.34')).toBe(true);
    expect(versionSupported('1.28')).toBe(false);
    expect(versionSupported('1.35')).toBe(false);
    expect(versionSupported('2.0')).toBe(false);
  });
});
