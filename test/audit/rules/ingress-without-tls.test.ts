import { describe, expect, it } from 'vitest';
import { run, where, y } from '../_audit.ts';

describe('ingress-without-tls', () => {
  it('fires at spec without tls, and at a host tls does not cover', () => {
    const plain = y`
      apiVersion: networking.k8s.io/v1
      kind: Ingress
      metadata: { name: i }
      spec:
        rules: [{ host: a.example.com }]
    `;
    expect(run('ingress-without-tls', plain)).toEqual([where(plain, 'spec')]);
    const partial = y`
      apiVersion: networking.k8s.io/v1
      kind: Ingress
      metadata: { name: i }
      spec:
        tls: [{ hosts: [a.example.com, "*.shop.example.com"], secretName: t }]
        rules:
          - host: a.example.com
          - host: eu.shop.example.com
          - host: b.example.com
    `;
    expect(run('ingress-without-tls', partial)).toEqual([where(partial, 'b.example.com')]);
  });

  it('does not fire when every host is covered', () => {
    const doc = y`
      apiVersion: networking.k8s.io/v1
      kind: Ingress
      metadata: { name: i }
      spec:
        tls: [{ hosts: [a.example.com], secretName: t }]
        rules: [{ host: a.example.com }]
    `;
    expect(run('ingress-without-tls', doc)).toEqual([]);
  });
});
