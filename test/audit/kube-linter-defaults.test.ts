/**
 * kube-linter's default checks (its internal/defaultchecks list) and the Slipway rule that implements
 * each. kube-linter itself cannot be installed on these machines (the Go module proxy refuses its
 * module with 403, and it is not packaged in Debian, PyPI or npm), so agreement on objects cannot be
 * measured here; this keeps the coverage honest instead: every default check has a registered rule.
 */
import { describe, expect, it } from 'vitest';
import { RULES } from '../../src/audit/registry.ts';

const KUBE_LINTER_DEFAULTS: Record<string, string> = {
  'dangling-service': 'dangling-service',
  'deprecated-service-account-field': 'deprecated-service-account-field',
  'docker-sock': 'docker-sock',
  'drop-net-raw-capability': 'drop-net-raw-capability',
  'duplicate-env-var': 'duplicate-env-var',
  'env-var-secret': 'env-var-secret',
  'host-ipc': 'host-ipc',
  'host-network': 'host-network',
  'host-pid': 'host-pid',
  'invalid-target-ports': 'invalid-target-ports',
  'latest-tag': 'latest-tag',
  'liveness-port': 'liveness-port',
  'mismatching-selector': 'mismatching-selector',
  'no-anti-affinity': 'no-anti-affinity',
  'no-extensions-v1beta': 'removed-api',
  'no-read-only-root-fs': 'no-read-only-root-fs',
  'non-existent-service-account': 'non-existent-service-account',
  'pdb-max-unavailable': 'pdb-max-unavailable',
  'pdb-min-available': 'pdb-min-available',
  'pdb-unhealthy-pod-eviction-policy': 'pdb-unhealthy-pod-eviction-policy',
  'privilege-escalation-container': 'privilege-escalation-container',
  'privileged-container': 'privileged-container',
  'readiness-port': 'readiness-port',
  'run-as-non-root': 'run-as-non-root',
  'sensitive-host-mounts': 'sensitive-host-mounts',
  'ssh-port': 'ssh-port',
  'startup-port': 'startup-port',
  'unsafe-sysctls': 'unsafe-sysctls',
  'unset-cpu-requirements': 'unset-cpu-requirements',
  'unset-memory-requirements': 'unset-memory-requirements',
};

describe("kube-linter's default checks", () => {
  const ids = new Set(RULES.map((r) => r.id));

  it('are all 30 listed', () => {
    expect(Object.keys(KUBE_LINTER_DEFAULTS)).toHaveLength(30);
  });

  it.each(Object.entries(KUBE_LINTER_DEFAULTS))('%s is implemented by the registered rule %s', (_, rule) => {
    expect(ids.has(rule)).toBe(true);
  });
});
