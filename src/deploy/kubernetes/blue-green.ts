/**
 * Blue-green services. Plain Kubernetes (src/render/kubernetes/rollout.ts): two Deployments,
 * `<svc>-blue` and `<svc>-green`, and two Services — the active one (`<svc>`) and `<svc>-preview` —
 * whose selectors pick a colour (label `slipway.dev/color`). The render shows the first state (blue
 * active with the template, green idle at 0 replicas); planBlueGreen rewrites it for the live state:
 *
 *   - the new pod template goes to the *idle* colour, scaled to the service's replicas;
 *   - the live colour's Deployment is left exactly as it runs (its live spec is re-applied, a no-op);
 *   - the active Service keeps selecting the live colour, the preview Service selects the new one;
 *   - an unchanged template (annotation `slipway.dev/template-hash`) rolls nothing.
 *
 * After the new colour is healthy, completeBlueGreen switches the active Service's selector
 * (auto-promotion; after checking the preview Service has ready endpoints) or records the pending
 * promotion on the active Service (annotation `slipway.dev/pending-color`) for `slipway promote` /
 * `slipway abort`. After a switch the old colour keeps running for the grace period
 * (scaleDownDelaySeconds): its scale-down deadline is written on the active Service first
 * (`slipway.dev/scale-down: <colour>@<time>`), then the command waits for short grace periods
 * (≤ maxWaitSeconds, default 120 s) and scales the old colour to 0; a longer one is left to the
 * next `slipway deploy`, `status`, `promote` or `abort`, which call enforceScaleDowns first.
 * A client interrupted during the grace period leaves the deadline, so it is never lost.
 *
 * With the `argo-rollouts` capability the renderer emits a Rollout; Argo's controller does all of
 * this, and promote/abort send the requests `kubectl argo rollouts promote/abort` send.
 */
import { createHash } from 'node:crypto';
import {
  CustomObjectsApi,
  type KubernetesObject,
  PatchStrategy,
  setHeaderOptions,
  type V1Deployment,
  type V1Service,
} from '@kubernetes/client-node';
import { EngineError, UsageError } from '../../cli/errors.ts';
import { type Io, json } from '../../cli/output.ts';
import type { Model, ServiceModel } from '../../model/types.ts';
import { childName, objectName } from '../../render/kubernetes/_names.ts';
import { usesArgoRollouts } from '../../render/kubernetes/rollout.ts';
import { apiCode, describeApiError } from './_api-error.ts';
import { sleep } from './_sleep.ts';
import { type Cluster, FIELD_MANAGER } from './cluster.ts';
import { assessHealth } from './health.ts';
import { type ObjectRef, refKey, refOf } from './refs.ts';

export const COLOR_LABEL = 'slipway.dev/color';
export const ACTIVE_COLOR_ANNOTATION = 'slipway.dev/active-color';
export const PENDING_COLOR_ANNOTATION = 'slipway.dev/pending-color';
export const SCALE_DOWN_ANNOTATION = 'slipway.dev/scale-down';
export const TEMPLATE_HASH_ANNOTATION = 'slipway.dev/template-hash';
/**
 * On the preview Service: the colour holding this release's template. A release record keeps it, so
 * a rollback re-plans from the right Deployment (the live colour's is never touched to mark it:
 * any change to a Deployment's annotations bumps its generation).
 */
export const RELEASE_COLOR_ANNOTATION = 'slipway.dev/release-color';
const COLORS = ['blue', 'green'] as const;

export interface BlueGreenSwitch {
  service: string;
  from: string;
  to: string;
  newDeployment: ObjectRef;
  oldDeployment: ObjectRef;
  activeService: ObjectRef;
  previewService: ObjectRef;
  autoPromote: boolean;
  graceSeconds: number;
  /** The active Service carries a scale-down mark for `to`, left by an earlier switch: this release clears it. */
  clearsScaleDown?: boolean;
}

export interface BlueGreenPlan {
  /** Rendered objects rewritten for the live state. */
  objects: KubernetesObject[];
  /** One per service whose new template goes to the idle colour this deploy. */
  switches: BlueGreenSwitch[];
}

export interface SwitchOptions {
  io: Io;
  signal?: AbortSignal;
  /** Grace periods up to this are waited for; longer ones are left to the next command (default 120). */
  maxWaitSeconds?: number;
  /** Override of every service's grace period (tests, emergencies); never below 0. */
  graceSeconds?: number;
}

// ---------------------------------------------------------------------------------------------------------
// Planning (pure)

const other = (c: string): string => (c === 'blue' ? 'green' : 'blue');

/** Hash of a pod template without its colour label: equal templates roll nothing. */
export function templateHash(template: unknown): string {
  const t = structuredClone(template) as { metadata?: { labels?: Record<string, string> } };
  if (t.metadata?.labels) delete t.metadata.labels[COLOR_LABEL];
  return createHash('sha256').update(JSON.stringify(t)).digest('hex').slice(0, 16);
}

interface Names {
  namespace: string;
  active: string;
  preview: string;
  deployment: (color: string) => string;
}

function namesOf(model: Model, svc: ServiceModel): Names {
  return {
    namespace: model.environment.namespace,
    active: objectName(model, svc.name),
    preview: childName(model, svc.name, 'preview'),
    deployment: (c) => childName(model, svc.name, c),
  };
}

const blueGreenServices = (model: Model, only?: string): ServiceModel[] =>
  model.services.filter(
    (s) => s.rollout.strategy === 'blue-green' && (only === undefined || s.name === only),
  );

const serviceRef = (namespace: string, name: string): ObjectRef => ({
  apiVersion: 'v1',
  kind: 'Service',
  namespace,
  name,
});
const deploymentRef = (namespace: string, name: string): ObjectRef => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  namespace,
  name,
});

/** The switch of `svc`'s traffic from one colour to the other. */
function switchOf(model: Model, svc: ServiceModel, from: string, to: string): BlueGreenSwitch {
  const n = namesOf(model, svc);
  return {
    service: svc.name,
    from,
    to,
    newDeployment: deploymentRef(n.namespace, n.deployment(to)),
    oldDeployment: deploymentRef(n.namespace, n.deployment(from)),
    activeService: serviceRef(n.namespace, n.active),
    previewService: serviceRef(n.namespace, n.preview),
    autoPromote: svc.rollout.autoPromote,
    graceSeconds: svc.rollout.scaleDownDelaySeconds,
  };
}

/** A live Deployment as an object to re-apply unchanged: its spec, labels and Slipway's annotations. */
function asApplied(live: KubernetesObject): KubernetesObject {
  const plain = JSON.parse(JSON.stringify(live)) as V1Deployment;
  const annotations = Object.fromEntries(
    Object.entries(plain.metadata?.annotations ?? {}).filter(([k]) => k.startsWith('slipway.dev/')),
  );
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: plain.metadata?.name as string,
      namespace: plain.metadata?.namespace as string,
      ...(plain.metadata?.labels ? { labels: plain.metadata.labels } : {}),
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
    },
    spec: plain.spec,
  } as KubernetesObject;
}

/** Rewrites a rendered colour Deployment for `color`, with the template of `template` (pure). */
function recolor(
  d: V1Deployment,
  color: string,
  name: string,
  template: V1Deployment['spec'],
  replicas: number | undefined,
) {
  const out = structuredClone(d);
  const spec = structuredClone(template) as NonNullable<V1Deployment['spec']>;
  out.metadata = {
    ...out.metadata,
    name,
    labels: { ...out.metadata?.labels, [COLOR_LABEL]: color },
    annotations: {
      ...out.metadata?.annotations,
      [TEMPLATE_HASH_ANNOTATION]: templateHash(spec.template),
    },
  };
  spec.selector = { ...spec.selector, matchLabels: { ...spec.selector.matchLabels, [COLOR_LABEL]: color } };
  spec.template.metadata = {
    ...spec.template.metadata,
    labels: { ...spec.template.metadata?.labels, [COLOR_LABEL]: color },
  };
  if (replicas === undefined) delete spec.replicas;
  else spec.replicas = replicas;
  out.spec = spec;
  return out;
}

/**
 * The rendered objects rewritten for the live state, and the switches this deploy makes (pure).
 * `live` maps refKey → live object (at least the blue-green Services and Deployments).
 */
export function planBlueGreen(
  model: Model,
  rendered: KubernetesObject[],
  live: ReadonlyMap<string, KubernetesObject>,
): BlueGreenPlan {
  if (usesArgoRollouts(model)) return { objects: rendered, switches: [] };
  const objects = [...rendered];
  const switches: BlueGreenSwitch[] = [];
  const index = (ref: ObjectRef) =>
    objects.findIndex((o) => o.kind === ref.kind && refKey(refOf(o)) === refKey(ref));

  for (const svc of blueGreenServices(model)) {
    const n = namesOf(model, svc);
    const at = {
      active: index(serviceRef(n.namespace, n.active)),
      preview: index(serviceRef(n.namespace, n.preview)),
      blue: index(deploymentRef(n.namespace, n.deployment('blue'))),
      green: index(deploymentRef(n.namespace, n.deployment('green'))),
    };
    if (Object.values(at).some((i) => i < 0)) continue; // not rendered as plain blue-green
    // The release's template: blue in a fresh render; in a release record (rollback) the colour the
    // deploy that wrote it had put it on.
    const recorded = (objects[at.preview] as V1Service).metadata?.annotations?.[RELEASE_COLOR_ANNOTATION];
    const releaseAt = recorded === 'green' ? at.green : at.blue;
    const renderedBlue = objects[releaseAt] as V1Deployment;
    const newSpec = renderedBlue.spec as NonNullable<V1Deployment['spec']>;
    const hash = templateHash(newSpec.template);
    const replicas = newSpec.replicas;

    const liveActive = live.get(refKey(serviceRef(n.namespace, n.active))) as V1Service | undefined;
    const liveColor = liveActive?.spec?.selector?.[COLOR_LABEL];
    const liveDeployment = (c: string) =>
      live.get(refKey(deploymentRef(n.namespace, n.deployment(c)))) as V1Deployment | undefined;
    /** Active Service → `active`, preview → the idle colour; the preview remembers where the release is. */
    const setServices = (active: string, release: string) => {
      const svcs: [number, string, string, string][] = [
        [at.active, active, ACTIVE_COLOR_ANNOTATION, active],
        [at.preview, other(active), RELEASE_COLOR_ANNOTATION, release],
      ];
      for (const [i, color, annotation, value] of svcs) {
        const s = structuredClone(objects[i]) as V1Service;
        s.spec = { ...s.spec, selector: { ...s.spec?.selector, [COLOR_LABEL]: color } };
        s.metadata = { ...s.metadata, annotations: { ...s.metadata?.annotations, [annotation]: value } };
        objects[i] = s as KubernetesObject;
      }
    };

    if (!liveColor || !COLORS.includes(liveColor as 'blue') || !liveDeployment(liveColor)) {
      // First deploy: blue gets the template and the traffic, as rendered.
      objects[at.blue] = recolor(
        renderedBlue,
        'blue',
        n.deployment('blue'),
        newSpec,
        replicas,
      ) as KubernetesObject;
      objects[at.green] = recolor(
        renderedBlue,
        'green',
        n.deployment('green'),
        newSpec,
        0,
      ) as KubernetesObject;
      setServices('blue', 'blue');
      continue;
    }
    const from = liveColor;
    const to = other(from);
    const fromLive = liveDeployment(from) as V1Deployment;
    const toLive = liveDeployment(to);

    if (fromLive.metadata?.annotations?.[TEMPLATE_HASH_ANNOTATION] === hash) {
      // Unchanged: both colours stay as they run (the idle one scaled down, or a preview awaiting promotion).
      setServices(from, from);
      objects[at[from as 'blue']] = asApplied(fromLive);
      objects[at[to as 'blue']] = toLive
        ? asApplied(toLive)
        : (recolor(renderedBlue, to, n.deployment(to), newSpec, 0) as KubernetesObject);
      continue;
    }
    setServices(from, to);
    objects[at[from as 'blue']] = asApplied(fromLive);
    // The live colour's scale, when an autoscaler owns it (no replicas rendered).
    const scale = replicas ?? Math.max(1, fromLive.spec?.replicas ?? 1);
    objects[at[to as 'blue']] = recolor(
      renderedBlue,
      to,
      n.deployment(to),
      newSpec,
      scale,
    ) as KubernetesObject;
    const mark = liveActive?.metadata?.annotations?.[SCALE_DOWN_ANNOTATION] ?? '';
    switches.push({
      ...switchOf(model, svc, from, to),
      ...(mark.startsWith(`${to}@`) ? { clearsScaleDown: true } : {}),
    });
  }
  return { objects, switches };
}

// ---------------------------------------------------------------------------------------------------------
// Switching (I/O)

/** The live objects planBlueGreen needs (both Services and both Deployments of each plain blue-green service). */
export async function readBlueGreenLive(
  cluster: Cluster,
  model: Model,
): Promise<Map<string, KubernetesObject>> {
  const out = new Map<string, KubernetesObject>();
  if (usesArgoRollouts(model)) return out;
  for (const svc of blueGreenServices(model)) {
    const n = namesOf(model, svc);
    const refs = [
      serviceRef(n.namespace, n.active),
      serviceRef(n.namespace, n.preview),
      ...COLORS.map((c) => deploymentRef(n.namespace, n.deployment(c))),
    ];
    for (const r of refs) {
      try {
        const live = await cluster.objects.read({
          apiVersion: r.apiVersion,
          kind: r.kind,
          metadata: { name: r.name, namespace: r.namespace as string },
        });
        out.set(refKey(r), live);
      } catch (e) {
        if (apiCode(e) !== 404)
          throw new EngineError(`could not read ${r.kind} ${r.name}`, describeApiError(e));
      }
    }
  }
  return out;
}

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

async function patchService(cluster: Cluster, ref: ObjectRef, body: object): Promise<void> {
  await cluster.core.patchNamespacedService(
    { name: ref.name, namespace: ref.namespace as string, body, fieldManager: FIELD_MANAGER },
    mergePatch,
  );
}

async function scale(cluster: Cluster, ref: ObjectRef, replicas: number): Promise<void> {
  try {
    await cluster.apps.patchNamespacedDeployment(
      {
        name: ref.name,
        namespace: ref.namespace as string,
        body: { spec: { replicas } },
        fieldManager: FIELD_MANAGER,
      },
      mergePatch,
    );
  } catch (e) {
    if (apiCode(e) !== 404)
      throw new EngineError(`could not scale Deployment ${ref.name}`, describeApiError(e));
  }
}

/** Points the active Service at `to` and records when `from` is to be scaled down. */
async function switchTraffic(cluster: Cluster, sw: BlueGreenSwitch, graceSeconds: number): Promise<string> {
  const deadline = new Date(Date.now() + graceSeconds * 1000).toISOString();
  try {
    await patchService(cluster, sw.activeService, {
      metadata: {
        annotations: {
          [ACTIVE_COLOR_ANNOTATION]: sw.to,
          [PENDING_COLOR_ANNOTATION]: null,
          [SCALE_DOWN_ANNOTATION]: `${sw.from}@${deadline}`,
        },
      },
      spec: { selector: { [COLOR_LABEL]: sw.to } },
    });
  } catch (e) {
    throw new EngineError(
      `could not switch Service ${sw.activeService.name} to ${sw.to}`,
      describeApiError(e),
    );
  }
  return deadline;
}

/** Ready endpoints behind a Service (EndpointSlices), the smoke check before a switch. */
async function readyEndpoints(cluster: Cluster, ref: ObjectRef): Promise<number> {
  const slices = await cluster.objects.list<
    KubernetesObject & { endpoints?: { conditions?: { ready?: boolean } }[] }
  >(
    'discovery.k8s.io/v1',
    'EndpointSlice',
    ref.namespace,
    undefined,
    undefined,
    undefined,
    undefined,
    `kubernetes.io/service-name=${ref.name}`,
  );
  return slices.items.flatMap((s) => s.endpoints ?? []).filter((e) => e.conditions?.ready !== false).length;
}

async function awaitEndpoints(cluster: Cluster, ref: ObjectRef, signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + 30_000;
  while ((await readyEndpoints(cluster, ref)) === 0) {
    if (Date.now() >= deadline || signal?.aborted)
      throw new EngineError(
        `the preview Service ${ref.name} has no ready endpoints, so traffic was not switched`,
        'its Pods are available but not selected: check the Service selector and the Pods’ labels',
      );
    await sleep(500, signal);
  }
}

/** Waits out the grace period when it is short, then scales the old colour down; else leaves it to the next command. */
async function graceThenScaleDown(
  cluster: Cluster,
  sw: BlueGreenSwitch,
  deadline: string,
  grace: number,
  o: SwitchOptions,
): Promise<void> {
  const say = (s: string) => o.io.format !== 'json' && o.io.err(s);
  if (grace > (o.maxWaitSeconds ?? 120)) {
    say(
      `  ${sw.service}: ${sw.oldDeployment.name} keeps running until ${deadline}; ` +
        'the next slipway deploy, status, promote or abort scales it down\n',
    );
    return;
  }
  if (grace > 0) {
    say(`  ${sw.service}: keeping ${sw.oldDeployment.name} for ${grace}s before scaling it down\n`);
    await sleep(grace * 1000, o.signal);
    if (o.signal?.aborted) return; // the recorded deadline is enforced later
  }
  await scaleDownOld(cluster, sw.activeService, sw.from, sw.oldDeployment);
  say(`  ${sw.service}: ${sw.oldDeployment.name} scaled to 0\n`);
}

async function scaleDownOld(
  cluster: Cluster,
  active: ObjectRef,
  color: string,
  dep: ObjectRef,
): Promise<void> {
  const live = await readService(cluster, active.namespace as string, active.name);
  if (!live) return; // deleted meanwhile (slipway down): nothing to scale down
  if (live.spec?.selector?.[COLOR_LABEL] === color) return; // switched back meanwhile: never scale the live colour
  await scale(cluster, dep, 0);
  try {
    await patchService(cluster, active, { metadata: { annotations: { [SCALE_DOWN_ANNOTATION]: null } } });
  } catch (e) {
    throw new EngineError(
      `could not clear the scale-down mark on Service ${active.namespace}/${active.name}`,
      describeApiError(e),
    );
  }
}

/** After the new colours are healthy: switch (auto-promotion) or record the pending promotion. */
export async function completeBlueGreen(
  cluster: Cluster,
  plan: BlueGreenPlan,
  o: SwitchOptions,
): Promise<void> {
  for (const sw of plan.switches) {
    if (!sw.autoPromote) {
      try {
        // An earlier switch's mark on this colour would scale the waiting release down: dropped.
        await patchService(cluster, sw.activeService, {
          metadata: {
            annotations: {
              [PENDING_COLOR_ANNOTATION]: sw.to,
              ...(sw.clearsScaleDown ? { [SCALE_DOWN_ANNOTATION]: null } : {}),
            },
          },
        });
      } catch (e) {
        throw new EngineError(`could not record the pending promotion of ${sw.service}`, describeApiError(e));
      }
      if (o.io.format !== 'json')
        o.io.err(
          `  ${sw.service}: ${sw.to} is ready on Service ${sw.previewService.name}; traffic stays on ${sw.from} ` +
            'until `slipway promote` (or `slipway abort` to drop it)\n',
        );
      continue;
    }
    await awaitEndpoints(cluster, sw.previewService, o.signal);
    const grace = Math.max(0, o.graceSeconds ?? sw.graceSeconds);
    const deadline = await switchTraffic(cluster, sw, grace);
    if (o.io.format !== 'json') o.io.err(`  ${sw.service}: traffic switched from ${sw.from} to ${sw.to}\n`);
    await graceThenScaleDown(cluster, sw, deadline, grace, o);
  }
}

/** Scales down old colours whose grace period has passed; returns how many. Call at the start of deploy/status/promote/abort. */
export async function enforceScaleDowns(
  cluster: Cluster,
  model: Model,
  o: { now?: Date } = {},
): Promise<number> {
  if (usesArgoRollouts(model)) return 0;
  const now = (o.now ?? new Date()).getTime();
  let done = 0;
  for (const svc of blueGreenServices(model)) {
    const n = namesOf(model, svc);
    const live = await readService(cluster, n.namespace, n.active);
    if (!live?.metadata?.annotations?.[SCALE_DOWN_ANNOTATION]) continue;
    const color = dueScaleDown(live, await readService(cluster, n.namespace, n.preview), now);
    if (!color) continue;
    await scaleDownOld(
      cluster,
      serviceRef(n.namespace, n.active),
      color,
      deploymentRef(n.namespace, n.deployment(color)),
    );
    done++;
  }
  return done;
}

/**
 * The colour whose grace period has passed (pure), from the active Service's scale-down mark —
 * unless that colour now carries a newer release: the one waiting for promotion (pending colour) or
 * the one the preview Service was last deployed with. Those are never scaled down by an old mark.
 */
export function dueScaleDown(
  active: V1Service | undefined,
  preview: V1Service | undefined,
  now: number,
): string | undefined {
  const a = active?.metadata?.annotations ?? {};
  const m = /^(blue|green)@(.+)$/.exec(a[SCALE_DOWN_ANNOTATION] ?? '');
  if (!m || Date.parse(m[2] as string) > now) return undefined;
  const color = m[1] as string;
  if (active?.spec?.selector?.[COLOR_LABEL] === color) return undefined;
  if (a[PENDING_COLOR_ANNOTATION] === color) return undefined;
  if (preview?.metadata?.annotations?.[RELEASE_COLOR_ANNOTATION] === color) return undefined;
  return color;
}

async function readService(
  cluster: Cluster,
  namespace: string,
  name: string,
): Promise<V1Service | undefined> {
  try {
    return await cluster.core.readNamespacedService({ name, namespace });
  } catch (e) {
    if (apiCode(e) === 404) return undefined;
    throw new EngineError(`could not read Service ${namespace}/${name}`, describeApiError(e));
  }
}

// ---------------------------------------------------------------------------------------------------------
// promote / abort

function nothingTo(what: string, model: Model, service?: string): UsageError {
  return new UsageError(
    `nothing to ${what}: no blue-green service${service ? ` named ${service}` : ''} of ${model.environment.name} waits for promotion`,
    'a deploy of a service with rollout.autoPromote: false leaves its new colour waiting; `slipway status` shows it',
  );
}

/** The promotions waiting on the active Services (pending colour ≠ live colour), as switches. */
async function pendingPromotions(
  cluster: Cluster,
  model: Model,
  services: ServiceModel[],
): Promise<BlueGreenSwitch[]> {
  await enforceScaleDowns(cluster, model);
  const out: BlueGreenSwitch[] = [];
  for (const svc of services) {
    const n = namesOf(model, svc);
    const live = await readService(cluster, n.namespace, n.active);
    const to = live?.metadata?.annotations?.[PENDING_COLOR_ANNOTATION];
    const from = live?.spec?.selector?.[COLOR_LABEL];
    if (to && from && to !== from) out.push(switchOf(model, svc, from, to));
  }
  return out;
}

/**
 * Services switched less than their grace period ago, as the switch back: from the colour serving
 * now to the one that is still kept running (scale-down mark on the active Service).
 */
async function switchesInGrace(
  cluster: Cluster,
  model: Model,
  services: ServiceModel[],
): Promise<BlueGreenSwitch[]> {
  const out: BlueGreenSwitch[] = [];
  for (const svc of services) {
    const n = namesOf(model, svc);
    const live = await readService(cluster, n.namespace, n.active);
    const m = /^(blue|green)@/.exec(live?.metadata?.annotations?.[SCALE_DOWN_ANNOTATION] ?? '');
    const serving = live?.spec?.selector?.[COLOR_LABEL];
    if (m && serving && m[1] !== serving) out.push(switchOf(model, svc, serving, m[1] as string));
  }
  return out;
}

/** Whether a colour's Deployment is fully available with at least one replica (no Pods needed), and why not. */
async function colorReady(cluster: Cluster, ref: ObjectRef): Promise<{ ready: boolean; why: string }> {
  const dep = await cluster.apps
    .readNamespacedDeployment({ name: ref.name, namespace: ref.namespace as string })
    .catch(() => undefined);
  if (!dep) return { ready: false, why: 'not found' };
  const h = assessHealth(dep as KubernetesObject);
  if ((dep.spec?.replicas ?? 1) === 0) return { ready: false, why: 'scaled to 0' };
  return { ready: h.state === 'current', why: h.message };
}

/** `slipway promote`: switch traffic to the waiting colour, keep the old one for the grace period, scale it down. */
export async function promote(
  cluster: Cluster,
  model: Model,
  o: { service?: string } & SwitchOptions,
): Promise<number> {
  const services = blueGreenServices(model, o.service);
  if (services.length === 0) throw nothingTo('promote', model, o.service);
  if (usesArgoRollouts(model)) return argo(cluster, model, services, 'promote', o.io);
  const done: { service: string; from: string; to: string }[] = [];
  for (const sw of await pendingPromotions(cluster, model, services)) {
    const { service, from, to } = sw;
    const c = await colorReady(cluster, sw.newDeployment);
    if (!c.ready)
      throw new EngineError(
        `cannot promote ${service}: ${sw.newDeployment.name} is not available (${c.why})`,
        'wait for it, or `slipway abort` to drop it',
      );
    await awaitEndpoints(cluster, sw.previewService, o.signal);
    const grace = Math.max(0, o.graceSeconds ?? sw.graceSeconds);
    const deadline = await switchTraffic(cluster, sw, grace);
    if (o.io.format !== 'json') o.io.err(`  ${service}: traffic switched from ${from} to ${to}\n`);
    done.push({ service, from, to });
    await graceThenScaleDown(cluster, sw, deadline, grace, o);
  }
  if (done.length === 0) throw nothingTo('promote', model, o.service);
  if (o.io.format === 'json') o.io.out(json({ environment: model.environment.name, promoted: done }));
  else o.io.out(`promoted ${done.map((d) => `${d.service} (${d.from} → ${d.to})`).join(', ')}\n`);
  return 0;
}

/**
 * `slipway abort`: drop the colour waiting for promotion (scaled to 0; the live colour keeps
 * serving) — or, within the grace period after a switch, switch back to the old colour, still
 * running, and scale the new one to 0.
 */
export async function abort(
  cluster: Cluster,
  model: Model,
  o: { service?: string; io: Io },
): Promise<number> {
  const services = blueGreenServices(model, o.service);
  if (services.length === 0) throw nothingTo('abort', model, o.service);
  if (usesArgoRollouts(model)) return argo(cluster, model, services, 'abort', o.io);
  const done: { service: string; serving: string; dropped: string }[] = [];
  for (const sw of await pendingPromotions(cluster, model, services)) {
    await scale(cluster, sw.newDeployment, 0);
    try {
      await patchService(cluster, sw.activeService, {
        metadata: { annotations: { [PENDING_COLOR_ANNOTATION]: null } },
      });
    } catch (e) {
      throw new EngineError(
        `could not clear the pending promotion on Service ${sw.activeService.name}`,
        describeApiError(e),
      );
    }
    done.push({ service: sw.service, serving: sw.from, dropped: sw.to });
  }
  // Switched within the grace period, the old colour still up: send traffic back to it.
  for (const sw of await switchesInGrace(cluster, model, services)) {
    if (done.some((d) => d.service === sw.service)) continue;
    if (!(await colorReady(cluster, sw.newDeployment)).ready) continue; // the old colour is gone already
    try {
      await patchService(cluster, sw.activeService, {
        metadata: { annotations: { [ACTIVE_COLOR_ANNOTATION]: sw.to, [SCALE_DOWN_ANNOTATION]: null } },
        spec: { selector: { [COLOR_LABEL]: sw.to } },
      });
    } catch (e) {
      throw new EngineError(
        `could not switch Service ${sw.activeService.name} back to ${sw.to}`,
        describeApiError(e),
      );
    }
    await scale(cluster, sw.oldDeployment, 0);
    done.push({ service: sw.service, serving: sw.to, dropped: sw.from });
  }
  if (done.length === 0) throw nothingTo('abort', model, o.service);
  if (o.io.format === 'json') o.io.out(json({ environment: model.environment.name, aborted: done }));
  else
    o.io.out(
      `aborted ${done.map((d) => `${d.service} (${d.dropped} scaled to 0, ${d.serving} keeps serving)`).join(', ')}\n`,
    );
  return 0;
}

/** The requests `kubectl argo rollouts promote|abort` make (argoproj/argo-rollouts pkg/kubectl-argo-rollouts/cmd). */
export function argoPatches(
  action: 'promote' | 'abort',
  rollout: { spec?: { paused?: boolean }; status?: { pauseConditions?: unknown[] } },
): { spec?: object; status?: object } {
  if (action === 'abort') return { status: { status: { abort: true } } };
  return {
    ...(rollout.spec?.paused ? { spec: { spec: { paused: false } } } : {}),
    ...((rollout.status?.pauseConditions?.length ?? 0) > 0
      ? { status: { status: { pauseConditions: null } } }
      : {}),
  };
}

async function argo(
  cluster: Cluster,
  model: Model,
  services: ServiceModel[],
  action: 'promote' | 'abort',
  io: Io,
): Promise<number> {
  const api = cluster.kubeConfig.makeApiClient(CustomObjectsApi);
  const base = {
    group: 'argoproj.io',
    version: 'v1alpha1',
    plural: 'rollouts',
    namespace: model.environment.namespace,
  };
  const done: string[] = [];
  for (const svc of services) {
    const name = objectName(model, svc.name);
    try {
      const ro = (await api.getNamespacedCustomObject({ ...base, name })) as Parameters<
        typeof argoPatches
      >[1];
      const p = argoPatches(action, ro);
      if (!p.spec && !p.status) continue;
      if (p.status) {
        try {
          await api.patchNamespacedCustomObjectStatus(
            { ...base, name, body: p.status, fieldManager: FIELD_MANAGER },
            mergePatch,
          );
        } catch (e) {
          // Rollouts before v0.10 have no status subresource: one patch of spec and status together
          if (apiCode(e) !== 404) throw e;
          await api.patchNamespacedCustomObject(
            { ...base, name, body: { ...p.spec, ...p.status }, fieldManager: FIELD_MANAGER },
            mergePatch,
          );
          done.push(name);
          continue;
        }
      }
      if (p.spec)
        await api.patchNamespacedCustomObject(
          { ...base, name, body: p.spec, fieldManager: FIELD_MANAGER },
          mergePatch,
        );
      done.push(name);
    } catch (e) {
      throw new EngineError(`could not ${action} Rollout ${base.namespace}/${name}`, describeApiError(e));
    }
  }
  if (done.length === 0) throw nothingTo(action, model);
  if (io.format === 'json') io.out(json({ environment: model.environment.name, [`${action}d`]: done }));
  else
    io.out(
      `${done.map((n) => `rollout '${n}' ${action === 'promote' ? 'promoted' : 'aborted'}`).join('\n')}\n`,
    );
  return 0;
}
