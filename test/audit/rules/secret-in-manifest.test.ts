import { describe, expect, it } from 'vitest';
import { run, where, y } from '../_audit.ts';

describe('secret-in-manifest', () => {
  it('fires at stringData and at data of a Secret with values', () => {
    const doc = y`
      apiVersion: v1
      kind: Secret
      metadata: { name: s }
      stringData:
        password: hunter2
      ---
      apiVersion: v1
      kind: Secret
      metadata: { name: t }
      data:
        token: aHVudGVyMg==
    `;
    expect(run('secret-in-manifest', doc)).toEqual([where(doc, 'stringData'), where(doc, 'data:\n  token')]);
  });

  it('does not fire on an empty Secret, a SOPS-encrypted one, or placeholders', () => {
    const doc = y`
      apiVersion: v1
      kind: Secret
      metadata: { name: s }
      type: Opaque
      ---
      apiVersion: v1
      kind: Secret
      metadata: { name: t }
      stringData: { password: "ENC[AES256_GCM,data:abc,type:str]" }
      sops: { version: 3.8.1 }
      ---
      apiVersion: v1
      kind: Secret
      metadata: { name: u }
      stringData: { password: "" }
    `;
    expect(run('secret-in-manifest', doc)).toEqual([]);
  });
});
