/**
 * The connection to one cluster: standard kubeconfig resolution (`KUBECONFIG`, ~/.kube/config,
 * in-cluster), the environment's context (or `--context`), typed API clients that share one
 * configuration, and a count of the HTTP requests made (the deploy benchmark reports it).
 */
import {
  AppsV1Api,
  BatchV1Api,
  CoordinationV1Api,
  CoreV1Api,
  createConfiguration,
  KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  type Middleware,
  PatchStrategy,
  type RequestContext,
  ServerConfiguration,
  VersionApi,
} from '@kubernetes/client-node';
import { EngineError } from '../../cli/errors.ts';
import { retryingHttpLibrary } from './_retry.ts';

export const FIELD_MANAGER = 'slipway';

/** The generic object client, with its (cached) discovery made public: is a kind served? */
export class ObjectApi extends KubernetesObjectApi {
  async served(apiVersion: string, kind: string): Promise<boolean> {
    return (await this.resource(apiVersion, kind)) !== undefined;
  }
}

export interface Cluster {
  kubeConfig: KubeConfig;
  /** The context in use (name), and the API server's URL. */
  context: string;
  server: string;
  objects: ObjectApi;
  core: CoreV1Api;
  apps: AppsV1Api;
  batch: BatchV1Api;
  coordination: CoordinationV1Api;
  version: VersionApi;
  /** HTTP requests made through this connection so far (`PATCH dry-run` apart from `PATCH`). */
  readonly requests: { count: number; byVerb: Record<string, number> };
}

export function connect(options: { context?: string | undefined; kubeconfig?: string } = {}): Cluster {
  const kc = new KubeConfig();
  try {
    if (options.kubeconfig) kc.loadFromFile(options.kubeconfig);
    else kc.loadFromDefault();
  } catch (e) {
    throw new EngineError(
      'could not read the kubeconfig',
      `${e instanceof Error ? e.message : String(e)}\n  = hint: set KUBECONFIG or pass --context`,
    );
  }
  if (options.context) {
    if (!kc.getContexts().some((c) => c.name === options.context))
      throw new EngineError(
        `kubeconfig has no context "${options.context}"`,
        `contexts: ${
          kc
            .getContexts()
            .map((c) => c.name)
            .join(', ') || '(none)'
        }`,
      );
    kc.setCurrentContext(options.context);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster)
    throw new EngineError('kubeconfig names no cluster', 'set KUBECONFIG, or give the environment a context');

  const requests = { count: 0, byVerb: {} as Record<string, number> };
  const count = (ctx: RequestContext) => {
    requests.count++;
    // Server-side dry-runs are PATCHes too, but change nothing: counted apart, so "an unchanged
    // deploy makes no PATCH" stays checkable.
    const verb = `${ctx.getHttpMethod()}${/[?&]dryRun=All/.test(ctx.getUrl()) ? ' dry-run' : ''}`;
    requests.byVerb[verb] = (requests.byVerb[verb] ?? 0) + 1;
  };
  const counting: Middleware = {
    pre: async (ctx) => {
      count(ctx);
      return ctx;
    },
    post: async (ctx) => ctx,
  };
  // A request the server asked to retry (429) is sent again, and counted again.
  const httpApi = retryingHttpLibrary({ onRetry: count });
  const make = <T>(api: new (config: ReturnType<typeof createConfiguration>) => T): T =>
    new api(
      createConfiguration({
        baseServer: new ServerConfiguration(cluster.server, {}),
        authMethods: { default: kc },
        httpApi,
        promiseMiddleware: [counting],
      }),
    );
  // Every object Slipway applies names its namespace, so the client's default one never applies.
  const objects = make(ObjectApi);
  return {
    kubeConfig: kc,
    context: kc.getCurrentContext(),
    server: cluster.server,
    objects,
    core: make(CoreV1Api),
    apps: make(AppsV1Api),
    batch: make(BatchV1Api),
    coordination: make(CoordinationV1Api),
    version: make(VersionApi),
    requests,
  };
}

/**
 * Server-side apply of one object: the one PATCH every write of Slipway's goes through.
 * `dryRun` asks the server what the object would become without storing it.
 */
export function serverSideApply(
  cluster: Cluster,
  object: KubernetesObject,
  o: { force: boolean; dryRun?: boolean; fieldManager?: string },
): Promise<KubernetesObject> {
  return cluster.objects.patch(
    object,
    undefined,
    o.dryRun ? 'All' : undefined,
    o.fieldManager ?? FIELD_MANAGER,
    o.force,
    PatchStrategy.ServerSideApply,
  );
}
