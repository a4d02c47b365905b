import { describe, expect, it } from 'vitest';
import { deployment, run, where, y } from '../_audit.ts';

describe('liveness-port', () => {
  it('fires at the probe port when the container does not expose it', () => {
    const doc = deployment(y`
      - name: a
        image: x:1
        ports: [{ name: http, containerPort: 8080 }]
        livenessProbe:
          httpGet: { path: /healthz, port: 9090 }
      - name: b
        image: x:1
        livenessProbe:
          tcpSocket: { port: metrics }
    `);
    expect(run('liveness-port', doc)).toEqual([where(doc, '9090'), where(doc, 'metrics }')]);
  });

  it('does not fire when the port is exposed by number or name, or for exec probes', () => {
    const doc = deployment(y`
      - name: a
        image: x:1
        ports: [{ name: http, containerPort: 8080 }]
        livenessProbe: { httpGet: { path: /, port: http } }
      - name: b
        image: x:1
        ports: [{ containerPort: 5432 }]
        livenessProbe: { tcpSocket: { port: 5432 } }
      - name: c
        image: x:1
        livenessProbe: { exec: { command: [true] } }
    `);
    expect(run('liveness-port', doc)).toEqual([]);
  });
});
