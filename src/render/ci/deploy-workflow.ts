/**
 * `.github/workflows/deploy.yml`: on a push that matches an environment's `deployOn`, build and
 * push that environment's images (tagged with the commit SHA, the branch, and the version on a
 * semver tag; never `latest`), then deploy it with `slipway deploy` inside a GitHub environment
 * whose deploys never overlap. Run by hand, it rolls one environment back with `slipway rollback`.
 * Written only when some environment has `deployOn`.
 */
import type { Model } from '../../model/types.ts';
import { ACTIONS, RUNNER, SLIPWAY_NODE } from './actions.ts';
import {
  type BuiltImage,
  builtImages,
  deployEnvironments,
  deployRefCondition,
  type NodeInstall,
  type Registry,
  registryOf,
  type SpecPaths,
  slipwayInstall,
  uniqueSorted,
} from './context.ts';
import { checkout, type Job, nodeSteps, runIn, type Step, slipway } from './steps.ts';
import { exprString, id, literal, script, secretSuffix, shellWord } from './text.ts';

/** The image tags: the full commit SHA (what deploys use), the branch, the version of a semver tag. */
export const IMAGE_TAGS = script(
  'type=sha,format=long,prefix=',
  'type=ref,event=branch',
  'type=semver,pattern={{version}}',
);

export interface EnvironmentSecrets {
  environment: string;
  secrets: { name: string; what: string }[];
}

/** The repository secrets a deploying environment needs. */
export function environmentSecrets(m: Model): EnvironmentSecrets {
  const s = secretSuffix(m.environment.name);
  const reg = registryOf(m);
  const builds = m.services.some((x) => x.build && !x.imageFrom);
  const secrets: { name: string; what: string }[] = [];
  if (builds && !reg.ghcr)
    secrets.push(
      { name: `REGISTRY_USERNAME_${s}`, what: `user that pushes to ${reg.host ?? 'Docker Hub'}` },
      { name: `REGISTRY_PASSWORD_${s}`, what: `its password or token` },
    );
  if (m.environment.target === 'kubernetes') {
    secrets.push({ name: `KUBE_CONFIG_${s}`, what: 'kubeconfig (YAML) of the cluster, least-privilege' });
  } else {
    secrets.push(
      { name: `DEPLOY_HOST_${s}`, what: 'user@host of the Docker server (SSH)' },
      { name: `DEPLOY_SSH_KEY_${s}`, what: 'private SSH key for it (a deploy-only key)' },
      { name: `DEPLOY_KNOWN_HOSTS_${s}`, what: 'its host key line(s): ssh-keyscan <host>, checked by hand' },
    );
    const src = m.environment.secretSource;
    if (src.type === 'env-file' && src.file)
      secrets.push({ name: `DEPLOY_ENV_FILE_${s}`, what: `contents of ${src.file} (the app's secrets)` });
  }
  return { environment: m.environment.name, secrets };
}

export function deployWorkflow(
  models: readonly Model[],
  paths: SpecPaths,
): { header: string[]; workflow: unknown } | undefined {
  const envs = deployEnvironments(models);
  if (envs.length === 0) return undefined;
  const install = slipwayInstall(models, paths);
  const branches = uniqueSorted(envs.map((m) => m.environment.deployOn?.branch));
  const tags = uniqueSorted(envs.map((m) => m.environment.deployOn?.tag));

  const jobs: Record<string, Job> = {};
  for (const m of envs) {
    const env = m.environment.name;
    const images = builtImages(m, paths);
    const ref = deployRefCondition(m.environment.deployOn ?? {});
    const when = `github.event_name == 'push' && ${ref.includes('||') ? `(${ref})` : ref}`;
    if (images.length > 0) jobs[`build-${id(env)}`] = buildJob(m, images, install, paths, when);
    jobs[`deploy-${id(env)}`] = deployJob(m, images, install, paths, when);
    jobs[`rollback-${id(env)}`] = rollbackJob(m, images, install, paths);
  }

  const header = [
    `Deploy for ${envs[0]?.app.name ?? 'the app'}. On a push: build and push the images, then deploy each environment whose deployOn matches. By hand (Actions > Deploy > Run workflow): roll one environment back.`,
    ...envs.map((m) => {
      const on = m.environment.deployOn ?? {};
      const trigger = [on.branch && `branch ${on.branch}`, on.tag && `tag ${on.tag}`]
        .filter(Boolean)
        .join(' or ');
      return `${m.environment.name} (${m.environment.target}): on a push to ${trigger}; GitHub environment "${m.environment.name}"${
        m.environment.approval ? ' (approval: give it required reviewers in Settings > Environments)' : ''
      }.`;
    }),
    ...envs.flatMap((m) =>
      builtImages(m, paths).map(
        (i) =>
          `${m.environment.name}: ${i.service} -> ${i.repository.replace('${{ github.repository_owner }}', '<repository owner>')}${
            i.reusedBy.length > 0 ? ` (also run by ${i.reusedBy.join(', ')})` : ''
          }`,
      ),
    ),
    `Secrets to create (Settings > Secrets and variables > Actions): ${envs
      .flatMap((m) => environmentSecrets(m).secrets.map((s) => s.name))
      .join(', ')}.`,
    'Needs the Slipway CLI as a devDependency: slipway deploy <spec> --env <env> [--image-tag <sha>] [--registry <prefix>] and slipway rollback <spec> --env <env> --to <revision>.',
  ];

  return {
    header,
    workflow: {
      name: 'Deploy',
      on: {
        push: {
          ...(branches.length > 0 ? { branches: branches.map(literal) } : {}),
          ...(tags.length > 0 ? { tags: tags.map(literal) } : {}),
        },
        workflow_dispatch: {
          inputs: {
            environment: {
              description: 'Environment to roll back',
              required: true,
              type: 'choice',
              options: envs.map((m) => m.environment.name),
            },
            revision: {
              description:
                'Revision to roll back to, as slipway rollback --to takes it (e.g. the commit SHA of an earlier deploy)',
              required: true,
              type: 'string',
            },
          },
        },
      },
      permissions: { contents: 'read' },
      // Runs for one ref never overlap, so the last push is deployed last; a newer push replaces a
      // waiting one. Deploys and rollbacks of one environment also share its job-level group.
      concurrency: {
        group: '${{ github.workflow }}-${{ github.event_name }}-${{ github.ref }}',
        'cancel-in-progress': false,
      },
      defaults: { run: { shell: 'bash' } },
      jobs,
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Jobs

function loginStep(reg: Registry, env: string): Step {
  if (reg.ghcr)
    return {
      name: 'Log in to ghcr.io',
      uses: ACTIONS.login,
      with: { registry: 'ghcr.io', username: '${{ github.actor }}', password: '${{ secrets.GITHUB_TOKEN }}' },
    };
  const s = secretSuffix(env);
  return {
    name: `Log in to ${reg.host ?? 'Docker Hub'}`,
    uses: ACTIONS.login,
    with: {
      ...(reg.host ? { registry: reg.host } : {}),
      username: `\${{ secrets.REGISTRY_USERNAME_${s} }}`,
      password: `\${{ secrets.REGISTRY_PASSWORD_${s} }}`,
    },
  };
}

function buildJob(m: Model, images: BuiltImage[], install: NodeInstall, paths: SpecPaths, when: string): Job {
  const env = m.environment.name;
  const reg = registryOf(m);
  const steps: Step[] = [checkout()];
  if (images.some((i) => i.generated))
    steps.push(...nodeSteps(install, SLIPWAY_NODE), {
      name: 'Render the Dockerfiles',
      run: script(slipway(paths, 'plan', '--env', shellWord(env))),
    });
  steps.push({ name: 'Set up Docker Buildx', uses: ACTIONS.setupBuildx }, loginStep(reg, env));
  for (const i of images) {
    const key = i.service.replace(/[^A-Za-z0-9_]/g, '_');
    const meta = `meta_${key}`;
    const existing = `existing_${key}`;
    // The commit's image, as deploys name it (GHCR wants lower case; metadata-action lowercases too).
    const image = { IMAGE: `${i.repository}:\${{ github.sha }}` };
    steps.push(
      {
        name: `Image tags (${i.service})`,
        id: meta,
        uses: ACTIONS.metadata,
        with: { images: i.repository, tags: IMAGE_TAGS, flavor: 'latest=false' },
      },
      {
        // Built once per commit: an environment deployed later from the same commit (a release tag
        // after the branch deploy) ships the very image the earlier one ran, with its new tags added.
        name: `Look for ${i.service} at this commit`,
        id: existing,
        env: image,
        run: script(
          'if docker buildx imagetools inspect "${IMAGE,,}" >/dev/null 2>&1; then',
          '  echo "found=true" >> "$GITHUB_OUTPUT"',
          '  echo "${IMAGE,,} exists: adding the tags instead of building it again"',
          'fi',
        ),
      },
      {
        name: `Build and push ${i.service}${i.reusedBy.length > 0 ? ` (also run by ${i.reusedBy.join(', ')})` : ''}`,
        if: `steps.${existing}.outputs.found != 'true'`,
        uses: ACTIONS.buildPush,
        with: {
          context: i.context,
          file: i.dockerfile,
          ...(i.target ? { target: i.target } : {}),
          ...(i.args.length > 0 ? { 'build-args': script(...i.args.map(([k, v]) => `${k}=${v}`)) } : {}),
          push: true,
          tags: `\${{ steps.${meta}.outputs.tags }}`,
          labels: `\${{ steps.${meta}.outputs.labels }}`,
          'cache-from': `type=gha,scope=${i.service}`,
          'cache-to': `type=gha,mode=max,scope=${i.service}`,
        },
      },
      {
        name: `Tag the existing ${i.service} image`,
        if: `steps.${existing}.outputs.found == 'true'`,
        env: { ...image, TAGS: `\${{ steps.${meta}.outputs.tags }}` },
        run: script(
          'args=()',
          'while IFS= read -r tag; do',
          '  if [ -n "$tag" ]; then args+=(--tag "$tag"); fi',
          'done <<< "$TAGS"',
          'docker buildx imagetools create "${args[@]}" "${IMAGE,,}"',
        ),
      },
    );
  }
  return {
    name: `Build images (${env})`,
    if: when,
    'runs-on': RUNNER,
    'timeout-minutes': 60,
    permissions: { contents: 'read', ...(reg.ghcr ? { packages: 'write' } : {}) },
    ...runIn(paths.dir),
    steps,
  };
}

function environmentOf(m: Model): Record<string, string> {
  const host = m.environment.hosts[0];
  const url = m.ingress && host ? `${m.ingress.tls ? 'https' : 'http'}://${literal(host)}` : undefined;
  return { name: m.environment.name, ...(url ? { url } : {}) };
}

/** Steps that give the job access to the environment (secrets in the step's env only), and the cleanup. */
function accessSteps(m: Model, images: BuiltImage[]): { steps: Step[]; cleanup: string[] } {
  const s = secretSuffix(m.environment.name);
  const secret = (name: string) => `\${{ secrets.${name}_${s} }}`;
  const missing = (variable: string) => [
    `if [ -z "$${variable}" ]; then`,
    `  echo "::error::the secret ${variable}_${s} is not set (Settings > Secrets and variables > Actions)"`,
    '  exit 1',
    'fi',
  ];
  if (m.environment.target === 'kubernetes')
    return {
      steps: [
        {
          name: 'Cluster credentials',
          env: { KUBE_CONFIG: secret('KUBE_CONFIG') },
          run: script(
            ...missing('KUBE_CONFIG'),
            'umask 077',
            `printf '%s\\n' "$KUBE_CONFIG" > "$RUNNER_TEMP/kubeconfig"`,
            'echo "KUBECONFIG=$RUNNER_TEMP/kubeconfig" >> "$GITHUB_ENV"',
          ),
        },
      ],
      cleanup: ['rm -f "$RUNNER_TEMP/kubeconfig"'],
    };
  const steps: Step[] = [
    {
      name: 'Server credentials',
      env: {
        DEPLOY_HOST: secret('DEPLOY_HOST'),
        DEPLOY_SSH_KEY: secret('DEPLOY_SSH_KEY'),
        DEPLOY_KNOWN_HOSTS: secret('DEPLOY_KNOWN_HOSTS'),
      },
      // Docker on the runner drives the server's daemon over SSH (DOCKER_HOST=ssh://…), with the
      // server's host key pinned: no trust on first use.
      run: script(
        ...missing('DEPLOY_HOST'),
        ...missing('DEPLOY_SSH_KEY'),
        ...missing('DEPLOY_KNOWN_HOSTS'),
        'umask 077',
        'mkdir -p "$HOME/.ssh"',
        `printf '%s\\n' "$DEPLOY_SSH_KEY" > "$HOME/.ssh/slipway_deploy"`,
        `printf '%s\\n' "$DEPLOY_KNOWN_HOSTS" >> "$HOME/.ssh/known_hosts"`,
        `printf 'Host *\\n  IdentityFile %s\\n  IdentitiesOnly yes\\n  StrictHostKeyChecking yes\\n' "$HOME/.ssh/slipway_deploy" >> "$HOME/.ssh/config"`,
        'echo "DOCKER_HOST=ssh://$DEPLOY_HOST" >> "$GITHUB_ENV"',
      ),
    },
  ];
  const cleanup = ['rm -f "$HOME/.ssh/slipway_deploy"'];
  const src = m.environment.secretSource;
  if (src.type === 'env-file' && src.file) {
    steps.push({
      name: `Secrets file (${literal(src.file)})`,
      env: { DEPLOY_ENV_FILE: secret('DEPLOY_ENV_FILE') },
      run: script(
        ...missing('DEPLOY_ENV_FILE'),
        'umask 077',
        `printf '%s\\n' "$DEPLOY_ENV_FILE" > ${shellWord(src.file)}`,
      ),
    });
    cleanup.push(`rm -f ${shellWord(src.file)}`);
  }
  // The server's daemon pulls with the credentials of the Docker client on the runner.
  if (images.length > 0) steps.push(loginStep(registryOf(m), m.environment.name));
  return { steps, cleanup };
}

function permissionsFor(m: Model, images: BuiltImage[]): Record<string, string> {
  const pulls = m.environment.target === 'compose' && images.length > 0 && registryOf(m).ghcr;
  return {
    // Reading the environment's protection rules (approvalGuard).
    ...(m.environment.approval ? { actions: 'read' } : {}),
    contents: 'read',
    ...(pulls ? { packages: 'read' } : {}),
  };
}

/**
 * `approval: true` is kept by GitHub, not by the workflow: the environment's required reviewers.
 * An environment nobody configured (GitHub creates it on first use, unprotected) would deploy
 * unreviewed, so the job stops first unless the environment requires a reviewer.
 */
function approvalGuard(m: Model): Step[] {
  if (!m.environment.approval) return [];
  const env = m.environment.name;
  return [
    {
      name: `Require a reviewer for ${env}`,
      env: { GH_TOKEN: '${{ github.token }}', ENVIRONMENT: env },
      run: script(
        `reviewers=$(gh api "repos/$GITHUB_REPOSITORY/environments/$ENVIRONMENT" --jq '[.protection_rules[]? | select(.type == "required_reviewers")] | length')`,
        // Fails closed: anything but a positive count (an API error included) stops the job.
        'if ! [ "$reviewers" -ge 1 ] 2>/dev/null; then',
        '  echo "::error::the spec sets approval: true for $ENVIRONMENT, but the GitHub environment $ENVIRONMENT has no required reviewers: add them in Settings > Environments (nothing was deployed)"',
        '  exit 1',
        'fi',
      ),
    },
  ];
}

function deployJob(
  m: Model,
  images: BuiltImage[],
  install: NodeInstall,
  paths: SpecPaths,
  when: string,
): Job {
  const env = m.environment.name;
  const access = accessSteps(m, images);
  const reg = registryOf(m);
  const args = ['--env', shellWord(env)];
  const stepEnv: Record<string, string> = {};
  const pre: string[] = [];
  if (images.length > 0) {
    stepEnv.IMAGE_TAG = '${{ github.sha }}';
    args.push('--image-tag', '"$IMAGE_TAG"');
    if (reg.isDefault) {
      // GHCR names are lower case; the build's metadata step lowercases the same way.
      stepEnv.REGISTRY_OWNER = '${{ github.repository_owner }}';
      pre.push('registry="ghcr.io/${REGISTRY_OWNER,,}"');
      args.push('--registry', '"$registry"');
    }
  }
  return {
    name: `Deploy ${env}`,
    ...(images.length > 0 ? { needs: [`build-${id(env)}`] } : {}),
    if: when,
    'runs-on': RUNNER,
    'timeout-minutes': 30,
    permissions: permissionsFor(m, images),
    environment: environmentOf(m),
    concurrency: { group: `deploy-${env}`, 'cancel-in-progress': false },
    ...runIn(paths.dir),
    steps: [
      ...approvalGuard(m),
      checkout(),
      ...nodeSteps(install, SLIPWAY_NODE),
      ...access.steps,
      { name: `Deploy ${env}`, env: stepEnv, run: script(...pre, slipway(paths, 'deploy', ...args)) },
      { name: 'Remove credentials', if: 'always()', run: script(...access.cleanup) },
    ],
  };
}

function rollbackJob(m: Model, images: BuiltImage[], install: NodeInstall, paths: SpecPaths): Job {
  const env = m.environment.name;
  const access = accessSteps(m, images);
  return {
    name: `Roll back ${env}`,
    if: `github.event_name == 'workflow_dispatch' && inputs.environment == ${exprString(env)}`,
    'runs-on': RUNNER,
    'timeout-minutes': 30,
    permissions: permissionsFor(m, images),
    environment: environmentOf(m),
    concurrency: { group: `deploy-${env}`, 'cancel-in-progress': false },
    ...runIn(paths.dir),
    steps: [
      ...approvalGuard(m),
      checkout(),
      ...nodeSteps(install, SLIPWAY_NODE),
      ...access.steps,
      {
        name: `Roll back ${env}`,
        // The input reaches the script as data, never as workflow text.
        env: { REVISION: '${{ inputs.revision }}' },
        run: script(slipway(paths, 'rollback', '--env', shellWord(env), '--to', '"$REVISION"')),
      },
      { name: 'Remove credentials', if: 'always()', run: script(...access.cleanup) },
    ],
  };
}
