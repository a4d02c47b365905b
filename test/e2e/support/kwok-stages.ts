/**
 * kwok failure stages for the e2e suites: make the Pods of a workload crash-loop, fail to pull their
 * image, never become ready, fail on their config, fail an init container, or (Job Pods) exit non-zero.
 *
 * start-kube.sh runs kwok with `--enable-crds=Stage`, so Stages are API objects (cluster-scoped,
 * kwok.x-k8s.io/v1alpha1) and take effect as soon as they are applied. Each failure stage matches
 * *Pending* Pods, like kwok's default `pod-ready` stage, but with a weight above 0: kwok picks among
 * matching stages by weight and drops those weighing 0 (pod-ready's), so the selected Pods take the
 * failure path instead of becoming Ready. Pods are selected by a label or by a container image.
 * The statuses imitate what a kubelet writes (e.g. `waiting: CrashLoopBackOff` with the last
 * termination in `lastState`). Stages that leave a Pod Pending use fixed timestamps so a replay
 * writes the same status and kwok settles instead of looping.
 *
 *   await applyFailureStage(kube, { name: 'web-crash', mode: 'crash-loop', label: ['app', 'web'] })
 *   await removeStage(kube, 'web-crash')
 *
 * `never-start` is not a failure: the Pods stay Pending (ContainerCreating), e.g. to keep a Job running.
 * Pods already Ready are not changed: apply the stage before the workload rolls.
 *
 * Container logs: servePodLogs makes kwok serve given lines as the log of a namespace's Pods.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ControlPlane } from '../_engines.ts';

export type FailureMode =
  | 'never-start'
  | 'crash-loop'
  | 'image-pull'
  | 'never-ready'
  | 'config-error'
  | 'init-fail'
  | 'job-fail';

export interface FailureStage {
  /** The Stage's name (cluster-wide). */
  name: string;
  mode: FailureMode;
  /** Select Pods carrying this label… */
  label?: readonly [string, string];
  /** …or with a container running this image. */
  image?: string;
}

const CONTAINER_WAITING: Partial<Record<FailureMode, { reason: string; message: string }>> = {
  // not a failure: a Pod that stays Pending, creating its containers (slow, not broken)
  'never-start': { reason: 'ContainerCreating', message: 'still creating (kwok stage)' },
  'image-pull': {
    reason: 'ImagePullBackOff',
    message: 'Back-off pulling image: not found (kwok failure stage)',
  },
  'config-error': {
    reason: 'CreateContainerConfigError',
    message: 'secret "missing" not found (kwok failure stage)',
  },
};

/** The Stage object (pure). */
export function failureStage(s: FailureStage): Record<string, unknown> {
  if (!s.label === !s.image) throw new Error(`failure stage ${s.name}: give exactly one of label, image`);
  const matchExpressions: Record<string, unknown>[] = [
    { key: '.metadata.deletionTimestamp', operator: 'DoesNotExist' },
    { key: '.status.phase', operator: 'In', values: ['Pending'] },
    s.label
      ? { key: `.metadata.labels["${s.label[0]}"]`, operator: 'In', values: [s.label[1]] }
      : { key: '.spec.containers.[].image', operator: 'In', values: [s.image] },
  ];
  return {
    apiVersion: 'kwok.x-k8s.io/v1alpha1',
    kind: 'Stage',
    metadata: { name: s.name, labels: { 'slipway.dev/e2e': 'failure-stage' } },
    spec: {
      resourceRef: { apiGroup: 'v1', kind: 'Pod' },
      selector: { matchExpressions },
      weight: 100,
      next: { statusTemplate: statusTemplate(s.mode) },
    },
  };
}

/** Go template for the Pod status kwok writes (kwok's template functions: Now, Quote, NodeIPsWith…). */
function statusTemplate(mode: FailureMode): string {
  // Pending Pods keep matching the stage: use the creation time, not Now, so replays change nothing.
  const t = '{{ $.metadata.creationTimestamp | Quote }}'; // $: the Pod, also inside range
  const conditions = (ready: boolean, initialized = true) => `
conditions:
- {type: PodScheduled, status: "True", lastTransitionTime: ${t}}
- {type: Initialized, status: "${initialized ? 'True' : 'False'}", lastTransitionTime: ${t}${initialized ? '' : ', reason: ContainersNotInitialized'}}
- {type: Ready, status: "${ready ? 'True' : 'False'}", lastTransitionTime: ${t}${ready ? '' : ', reason: ContainersNotReady'}}
- {type: ContainersReady, status: "${ready ? 'True' : 'False'}", lastTransitionTime: ${t}${ready ? '' : ', reason: ContainersNotReady'}}`;
  const each = (status: string) => `
containerStatuses:
{{ range .spec.containers }}
- name: {{ .name | Quote }}
  image: {{ .image | Quote }}
  imageID: ""
${status}
{{ end }}`;
  const hostIP = `
{{ with NodeIPsWith .spec.nodeName }}
hostIP: {{ index . 0 | Quote }}
{{ end }}
startTime: ${t}`;
  switch (mode) {
    case 'crash-loop':
      return `${conditions(false)}${each(`  ready: false
  started: false
  restartCount: 4
  state:
    waiting: {reason: CrashLoopBackOff, message: "back-off 1m20s restarting failed container (kwok failure stage)"}
  lastState:
    terminated: {exitCode: 1, reason: Error, startedAt: ${t}, finishedAt: ${t}}`)}${hostIP}
phase: Running`;
    case 'never-ready':
      return `${conditions(false)}${each(`  ready: false
  started: true
  restartCount: 0
  state:
    running: {startedAt: ${t}}`)}${hostIP}
phase: Running`;
    case 'never-start':
    case 'image-pull':
    case 'config-error': {
      const w = CONTAINER_WAITING[mode] as { reason: string; message: string };
      return `${conditions(false)}${each(`  ready: false
  started: false
  restartCount: 0
  state:
    waiting: {reason: ${w.reason}, message: ${JSON.stringify(w.message)}}`)}${hostIP}
phase: Pending`;
    }
    case 'init-fail':
      return `${conditions(false, false)}
initContainerStatuses:
{{ range .spec.initContainers }}
- name: {{ .name | Quote }}
  image: {{ .image | Quote }}
  imageID: ""
  ready: false
  restartCount: 3
  state:
    waiting: {reason: CrashLoopBackOff, message: "back-off restarting failed init container (kwok failure stage)"}
  lastState:
    terminated: {exitCode: 1, reason: Error, startedAt: ${t}, finishedAt: ${t}}
{{ end }}${each(`  ready: false
  started: false
  restartCount: 0
  state:
    waiting: {reason: PodInitializing}`)}${hostIP}
phase: Pending`;
    case 'job-fail':
      return `${conditions(false)}${each(`  ready: false
  started: false
  restartCount: 0
  state:
    terminated: {exitCode: 1, reason: Error, message: "exit status 1 (kwok failure stage)", startedAt: ${t}, finishedAt: ${t}}`)}${hostIP}
phase: Failed`;
  }
}

/** Applies (creates or replaces) a failure stage; kwok picks it up within a second. */
export async function applyFailureStage(kube: ControlPlane, s: FailureStage): Promise<void> {
  await applyKwokObject(kube, failureStage(s));
}

/** kubectl apply of a kwok object, saying what to do when the control plane lacks its CRD. */
async function applyKwokObject(kube: ControlPlane, body: Record<string, unknown>): Promise<void> {
  const r = await kube.kubectlRun(['apply', '-f', '-'], { input: JSON.stringify(body) });
  if (r.code === 0) return;
  const kind = String(body.kind);
  const name = String((body.metadata as { name?: string }).name);
  throw new Error(
    `could not apply kwok ${kind} ${name}: ${r.stderr}` +
      (r.stderr.includes(`no matches for kind "${kind}"`)
        ? `\n(the control plane predates kwok's ${kind} CRD: stop-kube.sh, then start-kube.sh)`
        : ''),
  );
}

export async function removeStage(kube: ControlPlane, name: string): Promise<void> {
  await kube.kubectlRun(['delete', 'stage.kwok.x-k8s.io', name, '--ignore-not-found']);
}

// ---------------------------------------------------------------------------------------------------------
// Container logs: kwok's server stands in for the kubelets (start-kube.sh), serving each container's
// log from a file in the CRI format the kubelet reads, chosen by a ClusterLogs object.

/** Writes `lines` as a CRI log file (`<RFC 3339 time> stdout F <line>`), stamped from now on, 1 ms apart. */
export function writeCriLog(path: string, lines: readonly string[]): void {
  const start = Date.now();
  const text = lines
    .map((l, i) => `${new Date(start + i).toISOString().replace('Z', '000000Z')} stdout F ${l}\n`)
    .join('');
  writeFileSync(path, text);
}

/**
 * Serves `lines` as the log of every container of the Pods in `namespace` (and `previous` as the
 * log of their previous run, `kubectl logs --previous`). Returns a function that removes it.
 */
export async function servePodLogs(
  kube: ControlPlane,
  o: { name: string; namespace: string; lines: readonly string[]; previous?: readonly string[] },
): Promise<() => Promise<void>> {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-kwok-logs-'));
  const logsFile = join(dir, 'current.log');
  writeCriLog(logsFile, o.lines);
  let previousLogsFile: string | undefined;
  if (o.previous) {
    previousLogsFile = join(dir, 'previous.log');
    writeCriLog(previousLogsFile, o.previous);
  }
  const body = {
    apiVersion: 'kwok.x-k8s.io/v1alpha1',
    kind: 'ClusterLogs',
    metadata: { name: o.name, labels: { 'slipway.dev/e2e': 'pod-logs' } },
    spec: {
      selector: { matchNamespaces: [o.namespace] },
      logs: [{ logsFile, ...(previousLogsFile ? { previousLogsFile } : {}) }],
    },
  };
  await applyKwokObject(kube, body);
  return async () => {
    await kube.kubectlRun(['delete', 'clusterlogs.kwok.x-k8s.io', o.name, '--ignore-not-found']);
    rmSync(dir, { recursive: true, force: true });
  };
}
