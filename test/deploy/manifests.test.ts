import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseAllDocuments } from 'yaml';

const DIR = 'deploy/openshift';

type Manifest = { kind: string; metadata: { name: string }; [key: string]: any };

function manifests(): Manifest[] {
  return readdirSync(DIR)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) =>
      parseAllDocuments(readFileSync(path.join(DIR, f), 'utf8')).map((doc) => {
        expect(doc.errors, f).toEqual([]);
        return doc.toJS() as Manifest;
      }),
    )
    .filter((m) => m && m.kind);
}

const all = manifests();
const one = (kind: string, name?: string) => {
  const found = all.filter((m) => m.kind === kind && (name === undefined || m.metadata.name === name));
  expect(found, `${kind} ${name ?? ''}`).toHaveLength(1);
  return found[0]!;
};
const deployment = one('Deployment', 'herold');
const container = deployment.spec.template.spec.containers[0];

/** The variables config.ts reads: the keys of its zod schema object. */
function configVariables(): Set<string> {
  const source = readFileSync('src/config/config.ts', 'utf8');
  const body = source.slice(source.indexOf('const schema = z.object({'));
  const block = body.slice(0, body.indexOf('\n});'));
  return new Set([...block.matchAll(/^ {2}([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1]!));
}

/** Paths Hono serves, from `app.get('/…'` and friends in src/http. */
function httpRoutes(): string[] {
  const files = filesBelow('src/http').filter((f) => f.endsWith('.ts'));
  const source = files.map((f) => readFileSync(f, 'utf8')).join('\n');
  return [...source.matchAll(/app\.(?:get|post|put|all|route)\(\s*'([^']+)'/g)].map((m) => m[1]!);
}

function filesBelow(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const p = path.posix.join(dir, name);
      return statSync(p).isDirectory() ? filesBelow(p) : [p];
    });
}

describe('deploy/openshift', () => {
  test('the Deployment runs two replicas of herold run', () => {
    expect(deployment.spec.replicas).toBe(2);
    expect(container.args ?? container.command).toEqual(['node', 'bin/herold.js', 'run']);
    expect(container.ports).toContainEqual(expect.objectContaining({ name: 'http', containerPort: 8080 }));
  });

  test('liveness on /healthz and readiness on /readyz, port 8080', () => {
    const port = (ref: string | number) => (typeof ref === 'number' ? ref : container.ports.find((p: { name: string }) => p.name === ref).containerPort);
    expect(container.livenessProbe.httpGet.path).toBe('/healthz');
    expect(port(container.livenessProbe.httpGet.port)).toBe(8080);
    expect(container.readinessProbe.httpGet.path).toBe('/readyz');
    expect(port(container.readinessProbe.httpGet.port)).toBe(8080);
  });

  test('every path of the probes and the Route is served by src/http', () => {
    const routes = httpRoutes();
    const paths = [
      container.livenessProbe.httpGet.path,
      container.readinessProbe.httpGet.path,
      container.startupProbe?.httpGet.path,
      one('Route', 'herold').spec.path ?? '/',
    ].filter(Boolean);
    for (const p of paths) expect(routes, p).toContain(p);
  });

  test('every environment variable is one config.ts knows', () => {
    const known = configVariables();
    expect(known.has('MASTODON_URL')).toBe(true);
    const names = (container.env as { name: string }[]).map((e) => e.name);
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(known, name).toContain(name);
    expect(container.envFrom ?? []).toEqual([]);
  });

  test('the Secret holds placeholders only, and exactly the keys the Deployment reads from it', () => {
    const secret = one('Secret', 'herold-secrets');
    const data: Record<string, string> = { ...(secret.stringData ?? {}), ...(secret.data ?? {}) };
    const fromSecret = (container.env as { name: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[])
      .filter((e) => e.valueFrom?.secretKeyRef)
      .map((e) => {
        expect(e.valueFrom!.secretKeyRef!.name).toBe('herold-secrets');
        expect(e.valueFrom!.secretKeyRef!.key, 'the key is named after the variable').toBe(e.name);
        return e.name;
      });
    expect(Object.keys(data).sort()).toEqual([...fromSecret].sort());
    expect(fromSecret).toContain('MASTODON_ACCESS_TOKEN');
    expect(fromSecret).toContain('HEROLD_WEBHOOK_TOKEN');
    // No real secrets: everything is empty but the Redis URL, which carries no password.
    for (const [key, value] of Object.entries(data)) {
      if (key === 'REDIS_URL') expect(value).toMatch(/^redis:\/\/[^@/]+$/);
      else expect(value, key).toBe('');
    }
    // The kustomization never applies the placeholders over real tokens.
    expect(readFileSync(path.join(DIR, 'kustomization.yaml'), 'utf8')).not.toMatch(/^\s*- secret\.yaml/m);
  });

  test('schedules and templates come from ConfigMaps mounted at /app/schedules and /app/templates', () => {
    const volumes = deployment.spec.template.spec.volumes as { name: string; configMap?: { name: string; items?: { key: string; path: string }[] } }[];
    const mounts = container.volumeMounts as { name: string; mountPath: string }[];
    const mountOf = (p: string) => volumes.find((v) => v.name === mounts.find((m) => m.mountPath === p)?.name);
    expect(mountOf('/app/schedules')?.configMap?.name).toBe('herold-schedules');
    const templates = mountOf('/app/templates')!.configMap!;
    expect(templates.name).toBe('herold-templates');

    const schedules = one('ConfigMap', 'herold-schedules');
    expect(Object.keys(schedules.data)).toContain('wien-rocks-2023-02-12.yaml');

    // Mounted over /app/templates, the ConfigMap hides the image's templates: it must carry every one of them.
    const configMap = one('ConfigMap', 'herold-templates');
    const repo = filesBelow('templates').map((f) => path.posix.relative('templates', f));
    const regenerate = 'Run `npx tsx deploy/openshift/generate-configmaps.ts` to bring deploy/openshift in step with templates/ and schedules/.';
    expect(templates.items!.map((i) => i.path).sort(), regenerate).toEqual([...repo].sort());
    for (const item of templates.items!) {
      expect(configMap.data[item.key], `${item.key}: ${regenerate}`).toBe(readFileSync(path.join('templates', item.path), 'utf8'));
    }
    for (const file of filesBelow('schedules')) {
      expect(schedules.data[path.basename(file)], `${file}: ${regenerate}`).toBe(readFileSync(file, 'utf8'));
    }
  });

  test('the Service and the Route lead to the http port', () => {
    const service = one('Service', 'herold');
    expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);
    expect(service.spec.ports).toContainEqual(expect.objectContaining({ port: 8080, targetPort: 'http' }));
    const route = one('Route', 'herold');
    expect(route.spec.to).toEqual(expect.objectContaining({ kind: 'Service', name: 'herold' }));
    expect(route.spec.tls.termination).toBe('edge');
  });

  test('the containers run as non-root, in the Deployment and in the Dockerfile', () => {
    expect(deployment.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
    expect(container.securityContext.allowPrivilegeEscalation).toBe(false);

    const dockerfile = readFileSync('Dockerfile', 'utf8');
    const stages = dockerfile.split(/^FROM /m).slice(1);
    expect(stages.length, 'multi-stage').toBeGreaterThanOrEqual(2);
    expect(stages.every((s) => s.startsWith('node:24-slim')), 'every stage on Node 24 LTS').toBe(true);
    expect(dockerfile).toMatch(/RUN npm ci\b/);
    const runtime = stages.at(-1)!;
    // The image runs the compiled JavaScript: dist/ from the build stage, no TypeScript sources, no tsx.
    expect(runtime).toContain('COPY --from=build /app/dist ./dist');
    expect(runtime).not.toMatch(/^COPY src\b/m);
    expect(dockerfile).toMatch(/npm ci --omit=dev --ignore-scripts/);
    const users = [...runtime.matchAll(/^USER\s+(\S+)/gm)].map((m) => m[1]!);
    expect(users.length, 'the runtime stage sets USER').toBeGreaterThan(0);
    expect(['root', '0']).not.toContain(users.at(-1));
    // The last USER comes before the CMD, and nothing switches back.
    expect(runtime.lastIndexOf('USER ')).toBeLessThan(runtime.search(/^CMD /m));
    expect(runtime).toContain('CMD ["node", "bin/herold.js", "run"]');
    expect(runtime).toMatch(/^EXPOSE 8080$/m);
  });
});

describe('deploy/openshift/maintenance: the instance\'s Route, switched to Herold and back', () => {
  const MAINTENANCE = path.join(DIR, 'maintenance');
  const route = (file: string) => {
    const docs = parseAllDocuments(readFileSync(path.join(MAINTENANCE, file), 'utf8'));
    expect(docs).toHaveLength(1);
    expect(docs[0]!.errors, file).toEqual([]);
    return docs[0]!.toJS() as Manifest;
  };
  const toHerold = route('route-to-herold.yaml');
  const toMastodon = route('route-to-mastodon.yaml');

  test('both files are one Route for the instance\'s host, so each apply replaces the other', () => {
    for (const r of [toHerold, toMastodon]) {
      expect(r.kind).toBe('Route');
      expect(r.apiVersion).toBe('route.openshift.io/v1');
    }
    expect(toHerold.metadata.name).toBe(toMastodon.metadata.name);
    expect(toHerold.spec.host).toBe('wien.rocks');
    expect(toMastodon.spec.host).toBe(toHerold.spec.host);
    expect(toMastodon.spec.tls).toEqual(toHerold.spec.tls);
  });

  test('during the window the host reaches Herold\'s Service, which serves it in maintenance mode', () => {
    const service = one('Service', 'herold');
    expect(toHerold.spec.to).toMatchObject({ kind: 'Service', name: service.metadata.name });
    expect(service.spec.ports.map((p: { name: string }) => p.name)).toContain(toHerold.spec.port.targetPort);
    const hosts = (container.env as { name: string; value?: string }[]).find((e) => e.name === 'HEROLD_MAINTENANCE_HOSTS')?.value ?? '';
    expect(hosts.split(',').map((h) => h.trim())).toContain(toHerold.spec.host);
    expect(toMastodon.spec.to.name).not.toBe(service.metadata.name);
  });

  test('`oc apply -k` never switches the host: the files are not in kustomization.yaml, and the README has one command each way', () => {
    const kustomization = parseAllDocuments(readFileSync(path.join(DIR, 'kustomization.yaml'), 'utf8'))[0]!.toJS() as { resources: string[] };
    expect(kustomization.resources.some((r) => r.includes('maintenance'))).toBe(false);
    const readme = readFileSync(path.join(DIR, 'README.md'), 'utf8');
    expect(readme).toContain('oc apply -f deploy/openshift/maintenance/route-to-herold.yaml');
    expect(readme).toContain('oc apply -f deploy/openshift/maintenance/route-to-mastodon.yaml');
  });
});
