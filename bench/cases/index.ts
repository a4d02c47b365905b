/** Every benchmark, in the order they run. Add a case here after writing its file. */
import type { BenchCase } from '../lib/types.ts';
import { auditThroughput } from './audit-throughput.ts';
import { cliColdStart } from './cli-cold-start.ts';
import { composeDeploy } from './compose-deploy.ts';
import { kubeDeploy } from './kube-deploy.ts';
import { renderVerify } from './render-verify.ts';
import { specLoadResolve } from './spec-load-resolve.ts';

export const CASES: readonly BenchCase[] = [
  cliColdStart,
  specLoadResolve,
  renderVerify,
  auditThroughput,
  composeDeploy,
  kubeDeploy,
];
