/** The Kubernetes minor versions whose schemas ship in the bundle (`scripts/derive-schemas.ts` derives each). */
export const SUPPORTED_KUBERNETES_VERSIONS = ['1.29', '1.30', '1.31', '1.32', '1.33', '1.34'] as const;

export type KubernetesVersion = (typeof SUPPORTED_KUBERNETES_VERSIONS)[number];

/** The newest supported minor: the default when a caller names none. */
export const DEFAULT_KUBERNETES_VERSION: KubernetesVersion = '1.34';

export function isSupportedKubernetesVersion(v: string): v is KubernetesVersion {
  return (SUPPORTED_KUBERNETES_VERSIONS as readonly string[]).includes(v);
}
