/**
 * Every audit rule, listed explicitly (no folder scanning): adding a rule is a file under rules/ plus a
 * line here, and the meta-test checks each listed rule has a test and a generated doc page.
 */
import { composeDockerSocket } from './rules/compose-docker-socket.ts';
import { composeHostNamespaces } from './rules/compose-host-namespaces.ts';
import { composeInlineSecret } from './rules/compose-inline-secret.ts';
import { composeNoHealthcheck } from './rules/compose-no-healthcheck.ts';
import { composeObsoleteVersion } from './rules/compose-obsolete-version.ts';
import { composePrivileged } from './rules/compose-privileged.ts';
import { composeUnpinnedImage } from './rules/compose-unpinned-image.ts';
import { dangerousCapabilities } from './rules/dangerous-capabilities.ts';
import { danglingIngress } from './rules/dangling-ingress.ts';
import { danglingNetworkpolicy } from './rules/dangling-networkpolicy.ts';
import { danglingNetworkpolicypeer } from './rules/dangling-networkpolicypeer.ts';
import { danglingPdb } from './rules/dangling-pdb.ts';
import { danglingScaleTarget } from './rules/dangling-scale-target.ts';
import { danglingService } from './rules/dangling-service.ts';
import { danglingServicemonitor } from './rules/dangling-servicemonitor.ts';
import { deprecatedApi } from './rules/deprecated-api.ts';
import { deprecatedServiceAccountField } from './rules/deprecated-service-account-field.ts';
import { dockerSock } from './rules/docker-sock.ts';
import { dropNetRawCapability } from './rules/drop-net-raw-capability.ts';
import { duplicateEnvVar } from './rules/duplicate-env-var.ts';
import { envVarSecret } from './rules/env-var-secret.ts';
import { hostIpc } from './rules/host-ipc.ts';
import { hostNetwork } from './rules/host-network.ts';
import { hostPathVolume } from './rules/host-path-volume.ts';
import { hostPid } from './rules/host-pid.ts';
import { hostPort } from './rules/host-port.ts';
import { ingressWithoutTls } from './rules/ingress-without-tls.ts';
import { invalidTargetPorts } from './rules/invalid-target-ports.ts';
import { latestTag } from './rules/latest-tag.ts';
import { livenessPort } from './rules/liveness-port.ts';
import { mismatchingSelector } from './rules/mismatching-selector.ts';
import { noAntiAffinity } from './rules/no-anti-affinity.ts';
import { noLivenessProbe } from './rules/no-liveness-probe.ts';
import { noReadOnlyRootFs } from './rules/no-read-only-root-fs.ts';
import { noReadinessProbe } from './rules/no-readiness-probe.ts';
import { nonExistentServiceAccount } from './rules/non-existent-service-account.ts';
import { nonIsolatedPod } from './rules/non-isolated-pod.ts';
import { pdbMaxUnavailable } from './rules/pdb-max-unavailable.ts';
import { pdbMinAvailable } from './rules/pdb-min-available.ts';
import { pdbUnhealthyPodEvictionPolicy } from './rules/pdb-unhealthy-pod-eviction-policy.ts';
import { privilegeEscalationContainer } from './rules/privilege-escalation-container.ts';
import { privilegedContainer } from './rules/privileged-container.ts';
import { pssBaselineApparmor } from './rules/pss-baseline-apparmor.ts';
import { pssBaselineHostProcess } from './rules/pss-baseline-host-process.ts';
import { pssBaselineProbeHost } from './rules/pss-baseline-probe-host.ts';
import { pssBaselineSeccomp } from './rules/pss-baseline-seccomp.ts';
import { pssBaselineSelinux } from './rules/pss-baseline-selinux.ts';
import { pssRestrictedCapabilities } from './rules/pss-restricted-capabilities.ts';
import { pssRestrictedPrivilegeEscalation } from './rules/pss-restricted-privilege-escalation.ts';
import { pssRestrictedSeccomp } from './rules/pss-restricted-seccomp.ts';
import { pssRestrictedVolumeTypes } from './rules/pss-restricted-volume-types.ts';
import { readinessPort } from './rules/readiness-port.ts';
import { removedApi } from './rules/removed-api.ts';
import { runAsNonRoot } from './rules/run-as-non-root.ts';
import { secretInConfigmap } from './rules/secret-in-configmap.ts';
import { secretInManifest } from './rules/secret-in-manifest.ts';
import { sensitiveHostMounts } from './rules/sensitive-host-mounts.ts';
import { sshPort } from './rules/ssh-port.ts';
import { startupPort } from './rules/startup-port.ts';
import { unsafeProcMount } from './rules/unsafe-proc-mount.ts';
import { unsafeSysctls } from './rules/unsafe-sysctls.ts';
import { unsetCpuRequirements } from './rules/unset-cpu-requirements.ts';
import { unsetMemoryRequirements } from './rules/unset-memory-requirements.ts';
import type { Rule } from './types.ts';

export const RULES: readonly Rule[] = [
  // Kubernetes: kube-linter's default checks
  danglingService,
  deprecatedServiceAccountField,
  dockerSock,
  dropNetRawCapability,
  duplicateEnvVar,
  envVarSecret,
  hostIpc,
  hostNetwork,
  hostPid,
  invalidTargetPorts,
  latestTag,
  livenessPort,
  mismatchingSelector,
  noAntiAffinity,
  noReadOnlyRootFs,
  nonExistentServiceAccount,
  pdbMaxUnavailable,
  pdbMinAvailable,
  pdbUnhealthyPodEvictionPolicy,
  privilegeEscalationContainer,
  privilegedContainer,
  readinessPort,
  runAsNonRoot,
  sensitiveHostMounts,
  sshPort,
  startupPort,
  unsafeSysctls,
  unsetCpuRequirements,
  unsetMemoryRequirements,
  // Kubernetes: Pod Security Standards (controls not covered above)
  dangerousCapabilities,
  hostPathVolume,
  hostPort,
  pssBaselineApparmor,
  pssBaselineHostProcess,
  pssBaselineProbeHost,
  pssBaselineSeccomp,
  pssBaselineSelinux,
  unsafeProcMount,
  pssRestrictedCapabilities,
  pssRestrictedPrivilegeEscalation,
  pssRestrictedSeccomp,
  pssRestrictedVolumeTypes,
  // Kubernetes: API versions
  removedApi,
  deprecatedApi,
  // Kubernetes: references between objects
  danglingIngress,
  danglingNetworkpolicy,
  danglingNetworkpolicypeer,
  danglingPdb,
  danglingScaleTarget,
  danglingServicemonitor,
  // Kubernetes: secrets, probes, network
  secretInConfigmap,
  secretInManifest,
  noLivenessProbe,
  noReadinessProbe,
  ingressWithoutTls,
  nonIsolatedPod,
  // Compose
  composeDockerSocket,
  composeHostNamespaces,
  composeInlineSecret,
  composeNoHealthcheck,
  composeObsoleteVersion,
  composePrivileged,
  composeUnpinnedImage,
];

/** The rule with this id. */
export function ruleById(id: string): Rule | undefined {
  return RULES.find((r) => r.id === id);
}
