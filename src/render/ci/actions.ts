/**
 * Every action the generated workflows use, pinned to a full release tag in one place. Majors are
 * the current ones (Node 24 runtimes); bump a version here and every workflow follows. Pin to a
 * commit SHA on top with a tool such as `pinact` or Dependabot if your policy asks for it.
 */
export const ACTIONS = {
  checkout: 'actions/checkout@v6.0.2',
  setupNode: 'actions/setup-node@v6.2.0',
  setupPython: 'actions/setup-python@v6.2.0',
  setupPnpm: 'pnpm/action-setup@v5.0.0',
  setupBuildx: 'docker/setup-buildx-action@v4.2.0',
  login: 'docker/login-action@v4.2.0',
  metadata: 'docker/metadata-action@v6.2.0',
  buildPush: 'docker/build-push-action@v7.3.0',
} as const;

/** The runner every job uses. */
export const RUNNER = 'ubuntu-latest';

/** The Node.js the Slipway CLI runs on in CI (it needs 22.12 or later). */
export const SLIPWAY_NODE = '24';
