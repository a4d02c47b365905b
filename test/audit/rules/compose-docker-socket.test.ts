import { describe, expect, it } from 'vitest';
import { run, where, y } from '../_audit.ts';

describe('compose-docker-socket', () => {
  it('fires at a short and a long volume mounting the socket', () => {
    const doc = y`
      services:
        ci:
          image: ci:1.0
          volumes:
            - /var/run/docker.sock:/var/run/docker.sock:ro
            - type: bind
              source: /run/podman/podman.sock
              target: /sock
    `;
    expect(run('compose-docker-socket', doc)).toEqual([
      where(doc, '/var/run/docker.sock:'),
      where(doc, '/run/podman'),
    ]);
  });

  it('does not fire on other volumes', () => {
    expect(
      run(
        'compose-docker-socket',
        'services:\n  db:\n    image: postgres:16\n    volumes: [data:/var/lib/postgresql/data]\n',
      ),
    ).toEqual([]);
  });
});
