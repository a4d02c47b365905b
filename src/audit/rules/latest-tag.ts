import { containersOf, POD_SPEC_KINDS, podSpecOf, str } from '../_k8s.ts';
import { defineRule } from '../types.ts';
import { unpinned } from './_image.ts';

export const latestTag = defineRule({
  id: 'latest-tag',
  severity: 'warning',
  kinds: POD_SPEC_KINDS,
  description: 'A container image uses the `latest` tag or no tag at all.',
  remediation:
    'Pin the image to a version tag (`app:1.4.2`) or, better, a digest (`app@sha256:…`), so every rollout and rollback runs the image that was tested.',
  messages: {
    latest:
      'container "{container}" uses the image {image}: `latest` moves, so two pods may run different code',
    untagged: 'container "{container}" uses the image {image} without a tag, which means `latest`',
  },
  docs: {
    kubeLinter:
      '`latest-tag` (default), same block list (`:latest`, no tag); images pinned by digest pass. Init containers are checked too.',
  },
  *check(o) {
    const pod = podSpecOf(o);
    if (!pod) return;
    for (const c of containersOf(pod, true)) {
      const image = str(c.c.image);
      if (image === undefined) continue;
      const why = unpinned(image);
      if (why)
        yield { message: why, data: { container: c.name, image }, path: `${c.path}/image`, at: 'value' };
    }
  },
});
