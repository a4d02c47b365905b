/** Image references: `[registry[:port]/]repository[:tag][@digest]`. */

export interface ImageRef {
  tag: string | undefined;
  digest: string | undefined;
}

export function parseImage(image: string): ImageRef {
  const at = image.indexOf('@');
  const digest = at >= 0 ? image.slice(at + 1) : undefined;
  const name = at >= 0 ? image.slice(0, at) : image;
  const colon = name.lastIndexOf(':');
  const tag = colon > name.lastIndexOf('/') ? name.slice(colon + 1) : undefined;
  return { tag, digest };
}

/** Why an image is not pinned: it uses `latest` or no tag (and no digest). */
export function unpinned(image: string): 'latest' | 'untagged' | undefined {
  const { tag, digest } = parseImage(image.trim());
  if (digest !== undefined && digest !== '') return undefined;
  if (tag === undefined || tag === '') return 'untagged';
  if (tag === 'latest') return 'latest';
  return undefined;
}
