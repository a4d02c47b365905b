import { str } from '../_k8s.ts';
import { COMPOSE_SERVICE, defineRule } from '../types.ts';
import { unpinned } from './_image.ts';

export const composeUnpinnedImage = defineRule({
  id: 'compose-unpinned-image',
  severity: 'warning',
  kinds: [COMPOSE_SERVICE],
  description: 'A Compose service pulls an image by `latest` or without a tag.',
  remediation: 'Pin the image to a version tag or a digest (`postgres:16.4`, `app@sha256:…`).',
  messages: {
    latest: 'service "{service}" uses the image {image}: `latest` changes under you',
    untagged: 'service "{service}" uses the image {image} without a tag, which means `latest`',
  },
  docs: {
    rationale: 'An unpinned image makes `docker compose pull` a silent upgrade and builds unreproducible.',
  },
  *check(o) {
    const image = str(o.value.image);
    // With `build`, `image` names what is built locally: no registry tag moves under it.
    if (image === undefined || o.value.build !== undefined) return;
    const why = unpinned(image);
    if (why) yield { message: why, data: { service: o.name, image }, path: '/image', at: 'value' };
  },
});
