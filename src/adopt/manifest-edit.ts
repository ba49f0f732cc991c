/**
 * Adding imported servers to a manifest's text without disturbing what is there: the yaml
 * package's Document API keeps comments, key order and the user's formatting of everything
 * untouched; a server already in the manifest is left as it is. Pure (text in, text out).
 */
import { isMap, isScalar, isSeq, parseDocument, stringify } from 'yaml';
import { GuardError } from '../errors.js';
import type { ServerDraft } from './to-manifest.js';

/** Why: the manifest `install -c FILE` and `import --write` create when there is none. */
export function starterManifest(profile: string): string {
  return `# mcp-guard manifest: each server below is launched, confined and filtered by mcp-guard.
# Check it with \`mcp-guard check\`; the profile's rules apply under every server.
version: 1
profile: ${profile}
servers:
`;
}

/** A server as YAML data (flow sequences for args, as people write them). */
function serverYaml(server: ServerDraft): unknown {
  return {
    command: server.command,
    args: server.args,
    ...(server.cwd === undefined ? {} : { cwd: server.cwd }),
    ...(server.env === undefined ? {} : { env: server.env }),
  };
}

export interface ManifestAddition {
  text: string;
  added: string[];
  /** Names already in the manifest, left as they were. */
  kept: string[];
}

/** Why: `import --write` and `install` add servers; an existing server of that name wins. */
export function addServers(
  file: string,
  text: string,
  servers: Readonly<Record<string, ServerDraft>>,
): ManifestAddition {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    throw new GuardError('ERR_CONFIG_INVALID', `${file}: ${doc.errors[0]!.message}`);
  }
  let list = doc.get('servers', true);
  if (!isMap(list)) {
    const empty = list === undefined || list === null || (isScalar(list) && list.value === null);
    if (!empty) throw new GuardError('ERR_CONFIG_INVALID', `${file}: \`servers\` is not a mapping`);
    doc.set('servers', doc.createNode({}));
    list = doc.get('servers', true);
    if (!isMap(list))
      throw new GuardError('ERR_CONFIG_INVALID', `${file}: \`servers\` is not a mapping`);
  }
  list.flow = false;
  const added: string[] = [];
  const kept: string[] = [];
  for (const [name, server] of Object.entries(servers)) {
    if (list.has(name)) {
      kept.push(name);
      continue;
    }
    const node = doc.createNode(serverYaml(server));
    if (isMap(node)) {
      const args = node.get('args', true);
      if (isSeq(args)) args.flow = true;
    }
    list.set(name, node);
    added.push(name);
  }
  return {
    text: added.length === 0 ? text : doc.toString({ lineWidth: 0, flowCollectionPadding: false }),
    added,
    kept,
  };
}

/** Why: `import` prints the servers alone, as a `servers:` block to paste. */
export function serversYaml(servers: Readonly<Record<string, ServerDraft>>): string {
  const data = Object.fromEntries(
    Object.entries(servers).map(([name, server]) => [name, serverYaml(server)]),
  );
  return stringify({ servers: data }, { lineWidth: 0 });
}
