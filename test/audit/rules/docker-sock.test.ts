import { describe, expect, it } from 'vitest';
import { deployment, run, where, y } from '../_audit.ts';

const volumes = (path: string) => y`
  volumes:
    - name: sock
      hostPath:
        path: ${path}
`;

describe('docker-sock', () => {
  it('fires at the hostPath path of a mounted runtime socket', () => {
    const doc = deployment(
      y`
      - name: app
        image: docker:27
        volumeMounts: [{ name: sock, mountPath: /var/run/docker.sock }]
      `,
      volumes('/var/run/docker.sock'),
    );
    expect(run('docker-sock', doc)).toEqual([where(doc, '/var/run/docker.sock\n')]);
  });

  it('covers containerd too', () => {
    const doc = deployment(
      '- name: app\n  image: x:1\n  volumeMounts: [{ name: sock, mountPath: /c.sock }]',
      volumes('/run/containerd/containerd.sock'),
    );
    expect(run('docker-sock', doc)).toEqual([where(doc, '/run/containerd/containerd.sock')]);
  });

  it('does not fire when the socket volume is not mounted, or for other paths', () => {
    expect(
      run('docker-sock', deployment('- name: app\n  image: x:1', volumes('/var/run/docker.sock'))),
    ).toEqual([]);
    const doc = deployment(
      '- name: app\n  image: x:1\n  volumeMounts: [{ name: sock, mountPath: /d }]',
      volumes('/data'),
    );
    expect(run('docker-sock', doc)).toEqual([]);
  });
});
