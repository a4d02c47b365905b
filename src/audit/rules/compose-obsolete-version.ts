import { COMPOSE_FILE, defineRule } from '../types.ts';

export const composeObsoleteVersion = defineRule({
  id: 'compose-obsolete-version',
  severity: 'warning',
  kinds: [COMPOSE_FILE],
  description: 'A Compose file sets the obsolete top-level `version:`.',
  remediation:
    'Delete the `version:` line: Compose v2 ignores it (and warns), the Compose Specification has no versions.',
  messages: {
    obsolete: 'the top-level `version: {version}` is obsolete and ignored',
  },
  *check(o) {
    if (o.value.version !== undefined)
      yield { message: 'obsolete', data: { version: String(o.value.version) }, path: '/version' };
  },
});
