/**
 * Checks before a deploy changes anything: the API answers, its version is one Slipway supports,
 * every kind about to be applied is served (a missing CRD names the operator to install), and
 * whether the namespace exists (the deploy creates it, and remembers that it did).
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { EngineError } from '../../cli/errors.ts';
import { SUPPORTED_KUBERNETES_VERSIONS } from '../../verify/schema/versions.ts';
import { apiCode, describeApiError } from './_api-error.ts';
import type { Cluster } from './cluster.ts';

/** API group → what provides it, for the "install this first" message. */
const PROVIDERS: Record<string, string> = {
  'monitoring.coreos.com': 'the Prometheus Operator (kube-prometheus-stack)',
  'argoproj.io': 'Argo Rollouts',
  'keda.sh': 'KEDA',
  'postgresql.cnpg.io': 'CloudNativePG',
  'cert-manager.io': 'cert-manager',
  'external-secrets.io': 'the External Secrets Operator',
  'bitnami.com': 'the Sealed Secrets controller',
  'databases.spotahome.com': 'the Spotahome Redis operator',
  'autoscaling.k8s.io': 'the Vertical Pod Autoscaler',
};

export interface Prerequisites {
  serverVersion: string;
  namespaceExists: boolean;
}

/** `1.34` from a server's major/minor (`1`, `34+` on some distributions). */
export function serverMinor(major: string, minor: string): string {
  return `${major.replace(/\D/g, '')}.${minor.replace(/\D/g, '')}`;
}

export function versionSupported(minor: string): boolean {
  const [maj, min] = minor.split('.').map(Number);
  const bounds = [SUPPORTED_KUBERNETES_VERSIONS[0], SUPPORTED_KUBERNETES_VERSIONS.at(-1) as string].map((v) =>
    Number(v.split('.')[1]),
  );
  return maj === 1 && min !== undefined && min >= (bounds[0] as number) && min <= (bounds[1] as number);
}

export async function checkPrerequisites(
  cluster: Cluster,
  objects: readonly KubernetesObject[],
  namespace: string,
): Promise<Prerequisites> {
  let version: { gitVersion: string; major: string; minor: string };
  try {
    version = await cluster.version.getCode();
  } catch (e) {
    throw new EngineError(
      `cannot reach the Kubernetes API at ${cluster.server} (context ${cluster.context})`,
      `${describeApiError(e)}\n  = hint: check the context (kubectl --context ${cluster.context} version), or pass --context`,
    );
  }
  const minor = serverMinor(version.major, version.minor);
  if (!versionSupported(minor))
    throw new EngineError(
      `the cluster runs Kubernetes ${version.gitVersion}, outside the versions Slipway supports`,
      `supported: ${SUPPORTED_KUBERNETES_VERSIONS[0]} to ${SUPPORTED_KUBERNETES_VERSIONS.at(-1)}`,
    );

  // One discovery request per apiVersion, all at once (the object client caches them for the apply).
  const missing = new Map<string, Set<string>>();
  const kinds = [...new Map(objects.map((o) => [`${o.apiVersion}/${o.kind}`, o])).values()];
  // Per apiVersion in parallel; within one, kinds after the first are answered from the cache.
  const served = new Map<KubernetesObject, boolean>();
  const byVersion = Map.groupBy(kinds, (o) => o.apiVersion as string);
  await Promise.all(
    [...byVersion.values()].map(async (group) => {
      for (const o of group) {
        try {
          served.set(o, await cluster.objects.served(o.apiVersion as string, o.kind as string));
        } catch (e) {
          if (apiCode(e) !== 404)
            throw new EngineError(
              `could not discover ${o.apiVersion}/${o.kind} on ${cluster.server}`,
              describeApiError(e),
            );
          served.set(o, false);
        }
      }
    }),
  );
  kinds.forEach((o) => {
    if (served.get(o)) return;
    const apiVersion = o.apiVersion as string;
    const group = apiVersion.includes('/') ? (apiVersion.split('/')[0] as string) : '';
    const what = PROVIDERS[group] ?? `the CRD for ${o.kind} (${apiVersion})`;
    const set = missing.get(what) ?? new Set<string>();
    set.add(`${o.kind} (${apiVersion})`);
    missing.set(what, set);
  });
  if (missing.size > 0)
    throw new EngineError(
      'the cluster does not serve every kind this environment uses; nothing was changed',
      `${[...missing].map(([what, kinds]) => `install ${what}: needed for ${[...kinds].join(', ')}`).join('\n')}\n  = hint: or drop the matching capability from the environment (slipway plan lists what each needs)`,
    );

  let namespaceExists = true;
  try {
    await cluster.core.readNamespace({ name: namespace });
  } catch (e) {
    if (apiCode(e) !== 404)
      throw new EngineError(`could not read namespace ${namespace}`, describeApiError(e));
    namespaceExists = false;
  }
  return { serverVersion: version.gitVersion, namespaceExists };
}
