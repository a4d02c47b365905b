import { describe, expect, it } from 'vitest';
import { run, where, y } from '../_audit.ts';

const service = (namespace: string) => y`
  apiVersion: v1
  kind: Service
  metadata:
    name: web
    namespace: ${namespace}
    labels: { app: web }
  spec:
    selector: { app: web }
    ports: [{ name: http, port: 80 }]
`;
const monitor = (selector: string, extra = '') => y`
  apiVersion: monitoring.coreos.com/v1
  kind: ServiceMonitor
  metadata: { name: web, namespace: shop }
  spec:
    selector: ${selector}
    endpoints: [{ port: http }]
${extra}`;

describe('dangling-servicemonitor', () => {
  it('fires at the selector when no Service has matching labels', () => {
    const doc = `${service('shop')}---\n${monitor('{ matchLabels: { app: api } }')}`;
    expect(run('dangling-servicemonitor', doc)).toEqual([where(doc, 'selector: { matchLabels: { app: api')]);
  });

  it('fires when the matching Service is outside the watched namespaces (its own by default)', () => {
    const doc = `${service('other')}---\n${monitor('{ matchLabels: { app: web } }')}`;
    expect(run('dangling-servicemonitor', doc)).toEqual([where(doc, 'selector:', 2)]);
  });

  it('does not fire when a Service in a watched namespace matches', () => {
    expect(
      run('dangling-servicemonitor', `${service('shop')}---\n${monitor('{ matchLabels: { app: web } }')}`),
    ).toEqual([]);
    expect(
      run(
        'dangling-servicemonitor',
        `${service('other')}---\n${monitor('{ matchLabels: { app: web } }', '    namespaceSelector: { matchNames: [other] }\n')}`,
      ),
    ).toEqual([]);
    expect(
      run(
        'dangling-servicemonitor',
        `${service('other')}---\n${monitor('{}', '    namespaceSelector: { any: true }\n')}`,
      ),
    ).toEqual([]);
  });
});
