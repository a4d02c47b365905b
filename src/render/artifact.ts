/** What renderers return: files in memory, written to disk only by the CLI. */
export interface FileArtifact {
  /** Path relative to the environment's output folder, e.g. `compose.yaml` or `kubernetes/10-deployment-web.yaml`. */
  path: string;
  content: string;
  /** Which renderer made it (shown in the plan summary). */
  renderer: string;
}
