/**
 * What every container gets, whatever the spec says — the compose counterpart of the restricted
 * pod security context: a non-root user, no Linux capabilities, no privilege gain through setuid
 * binaries, and (unless a dev server must write) a read-only root filesystem with tmpfs where
 * the app writes. Production also rotates container logs, so a chatty service cannot fill the disk.
 */

export const SECURITY_OPT = ['no-new-privileges:true'];
export const CAP_DROP = ['ALL'];

/** Docker's default json-file driver keeps logs forever; three files of 10 MB each per container. */
export const PRODUCTION_LOGGING = { driver: 'json-file', options: { 'max-size': '10m', 'max-file': '3' } };

export function userSpec(uid: number): string {
  return `${uid}:${uid}`;
}
