/**
 * The pods a set of manifests will run, as the label sets selectors are matched against: the pod
 * templates of the workloads, and the pods that well-known operators create from their custom
 * resources (CloudNativePG clusters, Redis failovers), whose labels are the operators' documented
 * ones. Rules that ask "does this selector match any pod?" read this, so a policy or budget written
 * for an operator's pods is not reported as matching nothing. Custom resources of other operators are
 * assumed to create no pods (a rule reading this says so in its docs).
 */
import { podSpecOf, selectorMatches } from './_k8s.ts';
import type { AuditObject } from './types.ts';

export interface PodLabels {
  /** The workload or custom resource the pods come from. */
  readonly from: AuditObject;
  readonly labels: Readonly<Record<string, string>>;
}

/** Labels of the pods an operator creates for a custom resource; none for other objects. */
export function operatorPodLabels(o: AuditObject): Record<string, string>[] {
  if (o.kind === 'Cluster' && o.apiVersion.startsWith('postgresql.cnpg.io/')) {
    // https://cloudnative-pg.io/documentation/current/labels_annotations/
    const base = { 'cnpg.io/cluster': o.name, 'cnpg.io/podRole': 'instance' };
    return ['primary', 'replica'].map((role) => ({ ...base, 'cnpg.io/instanceRole': role, role }));
  }
  if (o.kind === 'RedisFailover' && o.apiVersion.startsWith('databases.spotahome.com/')) {
    // github.com/spotahome/redis-operator: generateSelectorLabels + the component label.
    return ['redis', 'sentinel'].map((component) => ({
      'app.kubernetes.io/name': o.name,
      'app.kubernetes.io/component': component,
      'app.kubernetes.io/part-of': 'redis-failover',
      'redisfailovers.databases.spotahome.com/name': o.name,
    }));
  }
  return [];
}

const byRun = new WeakMap<readonly AuditObject[], Map<string, PodLabels[]>>();

/** Every pod label set of a namespace (workload templates and operator-made pods), grouped once per run. */
export function podLabelsIn(objects: readonly AuditObject[], namespace: string): readonly PodLabels[] {
  let byNamespace = byRun.get(objects);
  if (byNamespace === undefined) {
    const groups = new Map<string, PodLabels[]>();
    const add = (from: AuditObject, labels: Record<string, string>) => {
      const list = groups.get(from.namespace);
      if (list) list.push({ from, labels });
      else groups.set(from.namespace, [{ from, labels }]);
    };
    for (const o of objects) {
      const pod = podSpecOf(o);
      if (pod) add(o, pod.labels);
      for (const labels of operatorPodLabels(o)) add(o, labels);
    }
    byNamespace = groups;
    byRun.set(objects, byNamespace);
  }
  return byNamespace.get(namespace) ?? [];
}

// Policies repeat the same selectors (every policy allowing the same client): answered once per run.
const answers = new WeakMap<readonly AuditObject[], Map<string, boolean>>();

/** Whether a LabelSelector matches any pod of the namespace (an empty selector matches when any pod exists). */
export function anyPodMatches(objects: readonly AuditObject[], namespace: string, selector: object): boolean {
  let memo = answers.get(objects);
  if (memo === undefined) {
    memo = new Map();
    answers.set(objects, memo);
  }
  const key = `${namespace}\n${JSON.stringify(selector)}`;
  let answer = memo.get(key);
  if (answer === undefined) {
    answer = podLabelsIn(objects, namespace).some((p) => selectorMatches(selector, p.labels));
    memo.set(key, answer);
  }
  return answer;
}
