// Writes configmap-schedules.yaml and configmap-templates.yaml from the
// repository's schedules/ and templates/. Run from the project directory
// after changing a schedule or a template:
//
//   npx tsx deploy/openshift/generate-configmaps.ts
//
// The templates ConfigMap is mounted over /app/templates, so it carries every
// file below templates/ (toots, FAQ, status page); each key maps back to its
// path with `items`, since ConfigMap keys cannot contain "/".
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';

const here = path.dirname(new URL(import.meta.url).pathname);
const root = path.resolve(here, '../..');

function files(dir: string): string[] {
  return readdirSync(path.join(root, dir))
    .sort()
    .flatMap((name) => {
      const rel = path.posix.join(dir, name);
      return statSync(path.join(root, rel)).isDirectory() ? files(rel) : [rel];
    });
}

/** ConfigMap key of a path below `base`: "de/faq/termin.hbs" → "de--faq--termin.hbs". */
export const keyOf = (relative: string) => relative.split('/').join('--');

function configMap(name: string, base: string, component: string) {
  const paths = files(base).map((p) => path.posix.relative(base, p));
  const data = Object.fromEntries(paths.map((p) => [keyOf(p), readFileSync(path.join(root, base, p), 'utf8')]));
  return {
    manifest: {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, labels: { 'app.kubernetes.io/name': 'herold', 'app.kubernetes.io/component': component } },
      data,
    },
    items: paths.map((p) => ({ key: keyOf(p), path: p })),
  };
}

const header = (what: string) =>
  `# ${what}\n# Generated from the repository by deploy/openshift/generate-configmaps.ts; edit the files there and rerun it,\n# or edit here and keep the repository in step. Herold reads them at start: oc rollout restart deployment/herold.\n`;

const schedules = configMap('herold-schedules', 'schedules', 'schedules');
const templates = configMap('herold-templates', 'templates', 'templates');
writeFileSync(path.join(here, 'configmap-schedules.yaml'), header('Maintenance schedules, mounted at /app/schedules.') + stringify(schedules.manifest, { lineWidth: 0 }));
writeFileSync(path.join(here, 'configmap-templates.yaml'), header('Toot, FAQ and status page templates, mounted at /app/templates.') + stringify(templates.manifest, { lineWidth: 0 }));

// The items list of the templates volume in deployment.yaml must name every key.
const deploymentFile = path.join(here, 'deployment.yaml');
const deployment = readFileSync(deploymentFile, 'utf8');
const itemsYaml = stringify(templates.items, { lineWidth: 0 })
  .trimEnd()
  .split('\n')
  .map((line) => `              ${line}`)
  .join('\n');
const begin = '            # BEGIN generated template items';
const end = '            # END generated template items';
const from = deployment.indexOf(begin);
const to = deployment.indexOf(end);
if (from < 0 || to < 0) throw new Error(`deployment.yaml lacks the "${begin.trim()}" / "${end.trim()}" markers.`);
writeFileSync(deploymentFile, `${deployment.slice(0, from + begin.length)}\n${itemsYaml}\n${deployment.slice(to)}`);
process.stdout.write(`Wrote ${schedules.items.length} schedule(s) and ${templates.items.length} template file(s).\n`);
