/**
 * Monitoring through the Prometheus Operator: a ServiceMonitor per service with a metrics
 * endpoint, one PrometheusRule with the spec's alert thresholds, and a Grafana dashboard per
 * service as a ConfigMap the Grafana sidecar discovers (label grafana_dashboard: "1").
 * Metric names follow Prometheus conventions: http_requests_total{status} and
 * http_request_duration_seconds (histogram), as most HTTP middlewares export them.
 */
import type { Model, ServiceModel } from '../../model/types.ts';
import { childName, labels, objectName, selectorLabels } from './_names.ts';
import type { KubeObject } from './_object.ts';
import { scaleTarget } from './rollout.ts';

export function monitoringEnabled(model: Model): boolean {
  return model.monitoring.enabled && model.environment.capabilities.includes('prometheus-operator');
}

export function renderMonitoring(model: Model): KubeObject[] {
  if (!monitoringEnabled(model)) return [];
  const ns = model.environment.namespace;
  const extra = model.monitoring.labels;
  const scraped = model.services.filter((s) => s.metrics && (s.kind === 'web' || s.kind === 'worker'));
  const out: KubeObject[] = scraped.map((s) => ({
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: { name: objectName(model, s.name), namespace: ns, labels: labels(model, s.name, extra) },
    spec: {
      selector: { matchLabels: selectorLabels(model, s.name) },
      endpoints: [
        {
          port: s.metrics?.port.name,
          path: s.metrics?.path,
          interval: `${model.monitoring.scrapeIntervalSeconds}s`,
        },
      ],
    },
  }));
  out.push({
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: {
      name: objectName(model, 'alerts'),
      namespace: ns,
      labels: labels(model, 'monitoring', extra),
    },
    spec: {
      groups: [{ name: `${model.app.name}.rules`, rules: model.services.flatMap((s) => alerts(model, s)) }],
    },
  });
  if (model.monitoring.dashboards) {
    for (const s of scraped) {
      out.push({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name: childName(model, s.name, `dashboard`),
          namespace: ns,
          labels: { ...labels(model, s.name), grafana_dashboard: '1' },
        },
        data: { [`${objectName(model, s.name)}.json`]: `${JSON.stringify(dashboard(model, s), null, 2)}\n` },
      });
    }
  }
  return out;
}

function alerts(model: Model, s: ServiceModel): Record<string, unknown>[] {
  const ns = model.environment.namespace;
  const job = objectName(model, s.name);
  const a = model.monitoring.alerts;
  const name = s.name.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase());
  const rule = (alert: string, expr: string, forDuration: string, severity: string, summary: string) => ({
    alert: `${name}${alert}`,
    expr,
    for: forDuration,
    labels: { severity, service: s.name },
    annotations: { summary, runbook: `docs/runbooks.md#${alert.toLowerCase()}` },
  });
  const out = [];
  if (s.metrics && s.kind === 'web') {
    out.push(
      rule(
        'HighErrorRate',
        `sum(rate(http_requests_total{namespace="${ns}",job="${job}",status=~"5.."}[5m])) / sum(rate(http_requests_total{namespace="${ns}",job="${job}"}[5m])) > ${a.errorRate}`,
        '10m',
        'critical',
        `More than ${a.errorRate * 100}% of ${s.name} responses are 5xx`,
      ),
      rule(
        'HighLatencyP95',
        `histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{namespace="${ns}",job="${job}"}[5m]))) > ${a.latencyP95Seconds}`,
        '10m',
        'warning',
        `p95 latency of ${s.name} is above ${a.latencyP95Seconds}s`,
      ),
    );
  }
  if (s.kind === 'web' || s.kind === 'worker') {
    out.push(
      rule(
        'Restarting',
        `sum(increase(kube_pod_container_status_restarts_total{namespace="${ns}",container="${s.name}"}[15m])) > ${a.restarts}`,
        '0m',
        'warning',
        `${s.name} containers restarted more than ${a.restarts} times in 15 minutes`,
      ),
    );
  }
  if (s.autoscaling) {
    const target = scaleTarget(model, s).name;
    out.push(
      rule(
        'AutoscalerAtMax',
        `kube_horizontalpodautoscaler_status_current_replicas{namespace="${ns}",horizontalpodautoscaler="${job}"} >= kube_horizontalpodautoscaler_spec_max_replicas{namespace="${ns}",horizontalpodautoscaler="${job}"}`,
        `${a.hpaAtMaxSeconds}s`,
        'warning',
        `${target} has run at its maximum replicas for ${a.hpaAtMaxSeconds / 60} minutes`,
      ),
    );
  }
  if (s.queueScaling) {
    out.push(
      rule(
        'QueueBacklog',
        `max(keda_scaler_metrics_value{namespace="${ns}",scaledObject="${job}"}) > ${a.queueDepth}`,
        '10m',
        'warning',
        `The ${s.queueScaling.queue} queue of ${s.name} holds more than ${a.queueDepth} jobs`,
      ),
    );
  }
  return out;
}

function dashboard(model: Model, s: ServiceModel): Record<string, unknown> {
  const ns = model.environment.namespace;
  const job = objectName(model, s.name);
  const panel = (id: number, title: string, expr: string, unit: string, x: number, y: number) => ({
    id,
    title,
    type: 'timeseries',
    datasource: { type: 'prometheus', uid: '${datasource}' },
    gridPos: { h: 8, w: 12, x, y },
    fieldConfig: { defaults: { unit }, overrides: [] },
    targets: [{ expr, refId: 'A' }],
  });
  const panels = [
    panel(
      1,
      'Request rate',
      `sum(rate(http_requests_total{namespace="${ns}",job="${job}"}[5m]))`,
      'reqps',
      0,
      0,
    ),
    panel(
      2,
      'p95 latency',
      `histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{namespace="${ns}",job="${job}"}[5m])))`,
      's',
      12,
      0,
    ),
    panel(
      3,
      '5xx ratio',
      `sum(rate(http_requests_total{namespace="${ns}",job="${job}",status=~"5.."}[5m])) / sum(rate(http_requests_total{namespace="${ns}",job="${job}"}[5m]))`,
      'percentunit',
      0,
      8,
    ),
    panel(
      4,
      'CPU (cores)',
      `sum(rate(container_cpu_usage_seconds_total{namespace="${ns}",container="${s.name}"}[5m]))`,
      'short',
      12,
      8,
    ),
    panel(
      5,
      'Memory',
      `sum(container_memory_working_set_bytes{namespace="${ns}",container="${s.name}"})`,
      'bytes',
      0,
      16,
    ),
    panel(
      6,
      'Restarts (15m)',
      `sum(increase(kube_pod_container_status_restarts_total{namespace="${ns}",container="${s.name}"}[15m]))`,
      'short',
      12,
      16,
    ),
  ];
  return {
    title: `${model.app.name} / ${s.name} (${model.environment.name})`,
    uid: childName(model, s.name, `${model.environment.name}`).slice(0, 40),
    tags: [model.app.name, 'slipway'],
    timezone: 'utc',
    schemaVersion: 39,
    templating: { list: [{ name: 'datasource', type: 'datasource', query: 'prometheus' }] },
    time: { from: 'now-6h', to: 'now' },
    panels,
  };
}
