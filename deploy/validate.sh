#!/usr/bin/env bash
# Static validation of the deployment files, runnable without Docker or a cluster (CI):
#   nginx -t on deploy/nginx/nginx.conf (rendered with a local upstream), its required directives;
#   kubectl kustomize deploy/k8s renders, and the rendered objects keep their promises (probes,
#   resources, grace period > preStop + drain, HPA 3–10, placeholder-only Secret);
#   docker-compose.yml parses, every file it mounts/builds exists, images are pinned, secrets only
#   come from ${VAR:?} and each such VAR is in .env.example;
#   Dockerfile: FROM oven/bun at package.json's Bun version, non-root USER, HEALTHCHECK, STOPSIGNAL.
# Prints every problem and exits 1 if there is any.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUN=${BUN:-$ROOT/node_modules/.bin/bun}
[[ -x $BUN ]] || BUN=$(command -v bun) || { echo "validate: bun not found" >&2; exit 2; }
PATH=$PATH:/usr/sbin
TMP=$(mktemp -d)
trap 'rm -rf -- "$TMP"' EXIT
problems=0
problem() {
  echo "PROBLEM: $*"
  problems=$((problems + 1))
}
ok() { echo "ok: $*"; }

# --- nginx ----------------------------------------------------------------------------------------
conf=deploy/nginx/nginx.conf
if ! command -v nginx >/dev/null; then
  problem "nginx not installed: cannot run nginx -t (apt-get install nginx-light)"
elif ! bash deploy/local/scale/render-nginx.sh "$TMP/nginx" 127.0.0.1:18080 127.0.0.1:3000 2>"$TMP/render.err"; then
  problem "$conf: render failed: $(cat "$TMP/render.err")"
elif out=$(nginx -t -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" -g "pid $TMP/nginx/nginx.pid;" 2>&1); then
  ok "nginx -t $conf"
else
  problem "nginx -t $conf: $out"
fi
# The contract of the balancer (issue 9); a comment or a typo must not silently drop one.
for d in 'least_conn;' 'keepalive 64;' 'proxy_http_version 1.1;' 'proxy_set_header Connection "";' \
  'limit_req_status 429;' 'client_max_body_size 1m;' 'proxy_next_upstream error timeout http_502 http_503;' \
  'proxy_next_upstream_tries 2;' 'limit_req_zone $api_key' 'location = /metrics' 'error_page 429 = @rate_limited;' 'limit_req_zone $binary_remote_addr' \
  'location = /health' 'proxy_set_header X-Request-Id' 'proxy_set_header X-Forwarded-For'; do
  grep -v '^\s*#' "$conf" | grep -qF -- "$d" || problem "$conf: missing '$d'"
done
grep -v '^\s*#' "$conf" | grep -q 'non_idempotent' &&
  problem "$conf: proxy_next_upstream non_idempotent would retry POSTs (double sales)"

# --- kubernetes -----------------------------------------------------------------------------------
if ! command -v kubectl >/dev/null; then
  problem "kubectl not installed: cannot render deploy/k8s"
elif ! kubectl kustomize deploy/k8s >"$TMP/k8s.yaml" 2>"$TMP/k8s.err"; then
  problem "kubectl kustomize deploy/k8s: $(cat "$TMP/k8s.err")"
else
  ok "kubectl kustomize deploy/k8s ($(grep -c '^kind:' "$TMP/k8s.yaml") objects)"
  # `kubectl apply --dry-run=client` needs an API server for discovery even with --validate=false,
  # so the rendered objects are checked here instead.
fi

# --- YAML checks (k8s, compose) and the Dockerfile, in one Bun script -----------------------------
K8S=$TMP/k8s.yaml "$BUN" -e "$(
  cat <<'TS'
const problems: string[] = []
const p = (m: string) => problems.push(m)
const fs = require('node:fs') as typeof import('node:fs')
const path = require('node:path') as typeof import('node:path')

// --- Dockerfile vs package.json
const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8'))
const bunVersion = String(pkg.packageManager ?? '').replace(/^bun@/, '') || pkg.engines?.bun
const docker = fs.readFileSync('Dockerfile', 'utf8').split('\n').filter((l) => !/^\s*#/.test(l)).join('\n')
const froms = [...docker.matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1]!)
if (froms.length === 0) p('Dockerfile: no FROM')
for (const f of froms) {
  const m = /^oven\/bun:([0-9.]+)(-[a-z]+)?$/.exec(f)
  if (!m) p(`Dockerfile: FROM ${f} is not oven/bun:<version>[-variant]`)
  else if (m[1] !== bunVersion) p(`Dockerfile: FROM ${f} but package.json pins bun ${bunVersion}`)
}
if (froms.length < 2) p('Dockerfile: expected a multi-stage build (deps stage + runtime stage)')
const users = [...docker.matchAll(/^USER\s+(\S+)/gm)].map((m) => m[1]!)
const lastUser = users.at(-1)
if (!lastUser || ['root', '0', '0:0'].includes(lastUser)) p(`Dockerfile: final USER is ${lastUser ?? 'unset (root)'}`)
if (!/^HEALTHCHECK\b[\s\S]*\/health\/live/m.test(docker)) p('Dockerfile: no HEALTHCHECK on /health/live')
if (!/^STOPSIGNAL\s+SIGTERM/m.test(docker)) p('Dockerfile: no STOPSIGNAL SIGTERM')
if (!/--production/.test(docker)) p('Dockerfile: dependencies not installed with --production')
const ms = (s: string) => {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(String(s))
  return m ? Number(m[1]) * ({ ms: 1, s: 1000, m: 60000 }[m[2] ?? 's'] ?? 1) : Number.NaN
}

// --- Kubernetes (rendered)
if (fs.existsSync(process.env.K8S!)) {
  const docs = (Bun.YAML.parse(fs.readFileSync(process.env.K8S!, 'utf8')) as any[]).filter(Boolean)
  const of = (kind: string) => docs.filter((d) => d.kind === kind)
  const cm = of('ConfigMap').find((d) => d.metadata.name.startsWith('pos-api-config'))
  const shutdownMs = Number(cm?.data?.SHUTDOWN_TIMEOUT_MS ?? 10000)
  const dep = of('Deployment').find((d) => d.metadata.name === 'pos-api')
  if (!dep) p('k8s: no Deployment pos-api')
  else {
    const spec = dep.spec.template.spec
    const c = spec.containers[0]
    for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe']) if (!c[probe]) p(`k8s: Deployment has no ${probe}`)
    if (c.readinessProbe?.httpGet?.path !== '/health/ready') p('k8s: readinessProbe is not GET /health/ready')
    if (c.livenessProbe?.httpGet?.path !== '/health/live') p('k8s: livenessProbe is not GET /health/live')
    if (!c.resources?.requests?.cpu || !c.resources?.limits?.memory) p('k8s: container lacks resource requests/limits')
    if (!spec.topologySpreadConstraints?.length) p('k8s: no topologySpreadConstraints')
    const sleep = c.lifecycle?.preStop?.exec?.command?.join(' ').match(/sleep (\d+)/)?.[1] ?? c.lifecycle?.preStop?.sleep?.seconds
    if (sleep === undefined) p('k8s: no preStop sleep (endpoints must go before the listener closes)')
    const grace = (spec.terminationGracePeriodSeconds ?? 30) * 1000
    const need = shutdownMs + Number(sleep ?? 0) * 1000
    if (grace <= need) p(`k8s: terminationGracePeriodSeconds ${grace / 1000}s <= preStop ${sleep}s + SHUTDOWN_TIMEOUT_MS ${shutdownMs}ms`)
    if (c.securityContext?.allowPrivilegeEscalation !== false || !spec.securityContext?.runAsNonRoot) p('k8s: pod not locked to non-root')
  }
  const hpa = of('HorizontalPodAutoscaler')[0]
  if (hpa?.apiVersion !== 'autoscaling/v2') p('k8s: no autoscaling/v2 HorizontalPodAutoscaler')
  else {
    if (hpa.spec.minReplicas !== 3 || hpa.spec.maxReplicas !== 10) p('k8s: HPA is not 3–10 replicas')
    const target = (n: string) => hpa.spec.metrics.find((m: any) => m.resource?.name === n)?.resource.target.averageUtilization
    if (target('cpu') !== 70 || target('memory') !== 80) p('k8s: HPA targets are not CPU 70 % / memory 80 %')
  }
  if (!of('PodDisruptionBudget').length) p('k8s: no PodDisruptionBudget')
  if (!of('Service').length) p('k8s: no Service')
  const cmd = (d: any) => (d?.spec?.template ?? d?.spec?.jobTemplate?.spec?.template)?.spec?.containers?.[0]?.command?.join(' ')
  if (!/db:migrate/.test(cmd(of('Job')[0]) ?? '')) p('k8s: no migration Job running db:migrate')
  if (!/db:partitions/.test(cmd(of('CronJob')[0]) ?? '')) p('k8s: no CronJob running db:partitions')
  for (const s of of('Secret'))
    for (const [k, v] of Object.entries({ ...s.stringData, ...s.data }))
      if (!/CHANGE_ME/.test(String(v))) p(`k8s: Secret ${s.metadata.name}.${k} is not a CHANGE_ME placeholder`)
}

// --- docker-compose.yml
const composeFile = 'deploy/docker-compose.yml'
const dir = path.dirname(composeFile)
const raw = fs.readFileSync(composeFile, 'utf8')
let compose: any
try {
  compose = Bun.YAML.parse(raw)
} catch (e) {
  p(`${composeFile}: does not parse: ${(e as Error).message}`)
}
if (compose) {
  const services = compose.services ?? {}
  const exists = (rel: string, what: string) => {
    if (!fs.existsSync(path.resolve(dir, rel))) p(`${composeFile}: ${what} ${rel} does not exist`)
  }
  for (const [name, s] of Object.entries<any>(services)) {
    if (s.build) {
      const ctx = typeof s.build === 'string' ? s.build : s.build.context
      exists(ctx, `service ${name}: build context`)
      if (typeof s.build === 'object') exists(path.join(ctx, s.build.dockerfile ?? 'Dockerfile'), `service ${name}: Dockerfile`)
    } else if (!/:[^/]+$/.test(s.image ?? '') || /:latest$/.test(s.image)) p(`${composeFile}: service ${name}: image ${s.image} is not pinned`)
    for (const v of s.volumes ?? []) {
      const src = typeof v === 'string' ? v.split(':')[0]! : v.source
      if (/^\.\.?\//.test(src)) exists(src, `service ${name}: volume`)
    }
    for (const f of [s.env_file ?? []].flat()) exists(typeof f === 'string' ? f : f.path, `service ${name}: env_file`)
    for (const [dep, cond] of Object.entries<any>(s.depends_on && !Array.isArray(s.depends_on) ? s.depends_on : {})) {
      if (!services[dep]) p(`${composeFile}: service ${name} depends on unknown ${dep}`)
      if (!['service_started', 'service_healthy', 'service_completed_successfully'].includes(cond.condition)) p(`${composeFile}: ${name} → ${dep}: condition ${cond.condition}`)
    }
  }
  for (const need of ['api', 'nginx', 'pgbouncer', 'postgres', 'redis', 'migrate', 'prometheus', 'grafana', 'postgres-exporter', 'redis-exporter', 'pgbouncer-exporter'])
    if (!services[need]) p(`${composeFile}: no ${need} service`)
  const api = services.api ?? {}
  if (api.deploy?.replicas !== 3) p(`${composeFile}: api deploy.replicas is not 3`)
  if (api.depends_on?.migrate?.condition !== 'service_completed_successfully') p(`${composeFile}: api does not wait for migrate to complete`)
  const env = api.environment ?? {}
  if (String(env.MIGRATE) !== 'false') p(`${composeFile}: api must run with MIGRATE=false`)
  if (!/@pgbouncer:/.test(env.DATABASE_URL ?? '')) p(`${composeFile}: api DATABASE_URL does not go through pgbouncer`)
  if (!/db:migrate/.test([services.migrate?.command ?? []].flat().join(' '))) p(`${composeFile}: migrate does not run db:migrate`)
  const drain = Number(env.SHUTDOWN_TIMEOUT_MS ?? 10000)
  if (!(ms(api.stop_grace_period ?? '10s') > drain)) p(`${composeFile}: api stop_grace_period ${api.stop_grace_period ?? '10s (default)'} <= SHUTDOWN_TIMEOUT_MS ${drain}ms`)
  // Secrets: only from the environment, required, and documented in .env.example.
  const example = fs.readFileSync(path.join(dir, '.env.example'), 'utf8')
  for (const v of new Set([...raw.matchAll(/\$\{([A-Z0-9_]+):\?/g)].map((m) => m[1]!)))
    if (!new RegExp(`^${v}=`, 'm').test(example)) p(`${composeFile}: required \${${v}} is not in deploy/.env.example`)
  for (const m of raw.matchAll(/(?:postgres(?:ql)?|redis):\/\/[^@\s$]*:([^@\s]*)@/g))
    if (!m[1]!.startsWith('${')) p(`${composeFile}: literal password in a URL: ${m[0]}`)
  for (const m of raw.matchAll(/^\s*([A-Z_]*(?:PASSWORD|TOKEN|SECRET)[A-Z_]*):\s*(\S+)/gm))
    if (!m[2]!.startsWith('${')) p(`${composeFile}: ${m[1]} is not taken from the environment`)
}

for (const m of problems) console.log(`PROBLEM: ${m}`)
if (!problems.length) console.log('ok: Dockerfile, k8s objects, docker-compose.yml')
process.exit(problems.length ? 1 : 0)
TS
)" || problems=$((problems + 1))

for f in deploy/local/scale-test deploy/validate.sh; do
  [[ -x $f ]] || problem "$f is not executable"
done

if ((problems)); then
  echo "validate: FAILED (see PROBLEM lines)"
  exit 1
fi
echo "validate: all deployment checks passed"
