/**
 * Workloads of the app's own services: a Deployment per web service and worker (blue-green web
 * services are rendered by rollout.ts), a Job per job, a CronJob per cron job, and a
 * PersistentVolumeClaim per declared volume.
 */
import type { V1CronJob, V1Deployment, V1Job, V1PersistentVolumeClaim } from '@kubernetes/client-node';
import type { Model, ServiceModel } from '../../model/types.ts';
import { contentHash, labels, objectName, selectorLabels, truncate } from './_names.ts';
import type { KubeObject, RenderContext } from './_object.ts';
import { podTemplate, volumeClaimName } from './_pod.ts';

/** Whether something other than the manifest (an HPA or KEDA) owns the replica count. */
export function isAutoscaled(svc: ServiceModel): boolean {
  return svc.autoscaling !== undefined || svc.queueScaling !== undefined;
}

export function renderWorkloads(model: Model, ctx: RenderContext): KubeObject[] {
  const out: KubeObject[] = [];
  for (const svc of model.services) {
    out.push(...volumeClaims(model, svc));
    if (svc.kind === 'job') out.push(job(model, svc, ctx));
    else if (svc.kind === 'cron') out.push(cronJob(model, svc, ctx));
    else if (svc.rollout.strategy === 'rolling') out.push(deployment(model, svc, ctx));
  }
  return out;
}

export function deployment(
  model: Model,
  svc: ServiceModel,
  ctx: RenderContext,
  opts: { name?: string; color?: string; replicas?: number } = {},
): KubeObject {
  const extra = opts.color ? { 'slipway.dev/color': opts.color } : undefined;
  const d: V1Deployment & KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: opts.name ?? objectName(model, svc.name),
      namespace: model.environment.namespace,
      labels: labels(model, svc.name, extra),
      ...(svc.description ? { annotations: { 'slipway.dev/description': svc.description } } : {}),
    },
    spec: {
      // Left out when an autoscaler owns it, so a re-apply never fights the autoscaler.
      ...(opts.replicas !== undefined
        ? { replicas: opts.replicas }
        : isAutoscaled(svc)
          ? {}
          : { replicas: svc.replicas }),
      revisionHistoryLimit: 5,
      selector: { matchLabels: { ...selectorLabels(model, svc.name), ...(extra ?? {}) } },
      strategy: {
        type: 'RollingUpdate',
        rollingUpdate: { maxSurge: svc.rollout.maxSurge, maxUnavailable: svc.rollout.maxUnavailable },
      },
      template: podTemplate(model, svc, ctx, extra ? { extraLabels: extra } : {}),
    },
  };
  return d;
}

function job(model: Model, svc: ServiceModel, ctx: RenderContext): KubeObject {
  const template = podTemplate(model, svc, ctx, { restartPolicy: 'Never' });
  // Jobs are immutable: a changed job is a new Job, named by its content.
  const name = truncate(`${objectName(model, svc.name)}-${contentHash(template, 8)}`);
  const annotations: Record<string, string> = {};
  if (svc.hook) {
    annotations['slipway.dev/hook'] = svc.hook.phase;
    annotations['slipway.dev/hook-order'] = String(svc.hook.order);
  }
  const j: V1Job & KubeObject = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      namespace: model.environment.namespace,
      labels: labels(model, svc.name),
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
    },
    spec: {
      backoffLimit: svc.hook?.retries ?? 0,
      activeDeadlineSeconds: svc.hook?.deadlineSeconds ?? 3600,
      ttlSecondsAfterFinished: 86400,
      template,
    },
  };
  return j;
}

function cronJob(model: Model, svc: ServiceModel, ctx: RenderContext): KubeObject {
  const c: V1CronJob & KubeObject = {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: {
      name: objectName(model, svc.name),
      namespace: model.environment.namespace,
      labels: labels(model, svc.name),
    },
    spec: {
      schedule: svc.schedule ?? '',
      ...(svc.timezone ? { timeZone: svc.timezone } : {}),
      concurrencyPolicy: 'Forbid',
      startingDeadlineSeconds: 300,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
      jobTemplate: {
        metadata: { labels: labels(model, svc.name) },
        spec: {
          backoffLimit: 1,
          activeDeadlineSeconds: 3600,
          template: podTemplate(model, svc, ctx, { restartPolicy: 'Never' }),
        },
      },
    },
  };
  return c;
}

function volumeClaims(model: Model, svc: ServiceModel): KubeObject[] {
  return svc.volumes.map((v) => {
    const pvc: V1PersistentVolumeClaim & KubeObject = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: {
        name: volumeClaimName(model, svc, v.name),
        namespace: model.environment.namespace,
        labels: labels(model, svc.name),
        // Data outlives a deploy that stops mentioning it: `slipway` prunes it only when asked.
        annotations: { 'slipway.dev/keep': 'true', 'helm.sh/resource-policy': 'keep' },
      },
      spec: {
        accessModes: [v.accessMode],
        resources: { requests: { storage: v.size } },
        ...(v.storageClass ? { storageClassName: v.storageClass } : {}),
      },
    };
    return pvc;
  });
}
