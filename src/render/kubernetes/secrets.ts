/**
 * Secrets, never with values. `existing`: pods read a Secret created out of band (the plan
 * prints the exact `kubectl create secret` command). `external-secrets`: an ExternalSecret asks
 * the store for each key. `sealed-secrets`: the SealedSecret the team sealed with kubeseal is
 * included from the file the environment names.
 */
import type { Model } from '../../model/types.ts';
import { appSecretName } from './_connections.ts';
import { labels } from './_names.ts';
import type { KubeObject } from './_object.ts';

export function renderSecrets(model: Model, sealed: KubeObject | undefined): KubeObject[] {
  const src = model.environment.secretSource;
  if (model.secrets.length === 0) return [];
  if (src.type === 'external-secrets') {
    return [
      {
        apiVersion: 'external-secrets.io/v1',
        kind: 'ExternalSecret',
        metadata: {
          name: appSecretName(model),
          namespace: model.environment.namespace,
          labels: labels(model, 'secrets'),
        },
        spec: {
          refreshInterval: `${src.refreshIntervalSeconds}s`,
          secretStoreRef: { name: src.store ?? '', kind: src.storeKind ?? 'ClusterSecretStore' },
          target: { name: appSecretName(model), creationPolicy: 'Owner' },
          data: model.secrets.map((s) => ({ secretKey: s.key, remoteRef: { key: s.remoteKey } })),
        },
      },
    ];
  }
  if (src.type === 'sealed-secrets' && sealed) {
    return [{ ...sealed, metadata: { ...sealed.metadata, namespace: model.environment.namespace } }];
  }
  return [];
}

/** The command that creates the app's Secret by hand (for `existing`, and to seal one). */
export function createSecretCommand(model: Model): string {
  const keys = model.secrets.map(
    (s) => `--from-literal=${s.key}="$${s.key.toUpperCase().replace(/[^A-Z0-9]/g, '_')}"`,
  );
  return [
    `kubectl create secret generic ${appSecretName(model)} --namespace ${model.environment.namespace}`,
    ...keys,
  ].join(' \\\n  ');
}
