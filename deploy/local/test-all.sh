#!/usr/bin/env bash
# The whole test suite from a fresh clone: installs dependencies, starts throwaway PostgreSQL,
# PgBouncer and Redis, type-checks and lints, then runs every test twice — against the real
# services (PostgreSQL through PgBouncer, Redis) and in embedded mode (PGlite, in-process cache) —
# and ends with the line "N passed, N failed". Exits non-zero when anything failed.
set -uo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
out="$root/.tmp/test-results"
rm -rf "$out" && mkdir -p "$out"

BUN_VERSION=$(node -e 'process.stdout.write(require("./package.json").devDependencies.bun)' 2>/dev/null || echo 1.4.5)
if [ -x node_modules/.bin/bun ] && [ "$(node_modules/.bin/bun --version)" = "$BUN_VERSION" ]; then
  bun=node_modules/.bin/bun
elif command -v bun >/dev/null && [ "$(bun --version)" = "$BUN_VERSION" ]; then
  bun=bun
else
  bun="npx -y bun@$BUN_VERSION"
fi
echo "== installing dependencies (bun $BUN_VERSION)" >&2
$bun install --frozen-lockfile >&2 || { echo "0 passed, 1 failed"; exit 1; }
bun="$root/node_modules/.bin/bun"

# Tools the tests drive besides the services: the load generator, nginx for the scale test,
# promtool/prometheus for the alert rules and the scrape test, kubectl to render the manifests.
missing=()
for pair in wrk:wrk nginx:nginx-light promtool:prometheus prometheus:prometheus kubectl:kubectl; do
  command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}")
done
if ((${#missing[@]})) && [ "$(id -u)" = 0 ]; then
  echo "== installing ${missing[*]}" >&2
  apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 ||
    echo "!! could not install ${missing[*]}" >&2
fi

services_dir="$root/.tmp/services"
echo "== starting PostgreSQL, PgBouncer and Redis" >&2
if ! env_lines=$(bash deploy/local/services.sh start "$services_dir"); then
  echo "could not start the local services" >&2
  echo "0 passed, 1 failed"
  exit 1
fi
trap 'bash deploy/local/services.sh stop "$services_dir" >&2 || true' EXIT

passed_checks=0
failed_checks="" # names, one per line
check() { # name, command...
  local name=$1; shift
  echo "== $name" >&2
  if "$@" >&2; then
    passed_checks=$((passed_checks + 1))
  else
    failed_checks+="${failed_checks:+$'\n'}$name"
    echo "!! $name failed" >&2
  fi
}
check "typecheck (tsc --noEmit)" node_modules/.bin/tsc --noEmit
check "format and lint (biome)" node_modules/.bin/biome check .
check "deployment files (nginx -t, kustomize, compose, Dockerfile)" bash deploy/validate.sh

echo "== tests against PostgreSQL (through PgBouncer) and Redis" >&2
(eval "$env_lines" && export SERVICES_DIR && "$bun" test --timeout 60000 --reporter=junit --reporter-outfile="$out/postgres.xml" "$@") >&2
echo "== tests in embedded mode (PGlite, in-process cache)" >&2
(unset DATABASE_URL DATABASE_DIRECT_URL REDIS_URL && "$bun" test --timeout 60000 --reporter=junit --reporter-outfile="$out/embedded.xml" "$@") >&2

# The benchmark gate on the small preset. The machine is shared and noisy: a failing run is run
# once more and the gate passes if either run does; a real 2x regression fails both.
echo "== benchmark gate (bench:ci, small preset)" >&2
check "benchmark gate (bench:ci)" bash -c "(eval \"\$1\" && \"\$2\" bench/run.ts --suite ci) || (echo '!! bench:ci failed once; running it again' >&2 && eval \"\$1\" && \"\$2\" bench/run.ts --suite ci)" _ "$env_lines" "$bun"

echo "== scale test: nginx in front of two API processes, SIGTERM one under load" >&2
check "scale test (zero failed requests through a graceful drain)" bash deploy/local/scale-test

summary=$("$bun" deploy/local/junit-summary.ts "$passed_checks" "$failed_checks" "$out/postgres.xml" "$out/embedded.xml")
status=$?
# Services stop before the summary, so "N passed, N failed" is the last line; .ci/run repeats it
# after the package runner's own closing message.
trap - EXIT
bash deploy/local/services.sh stop "$services_dir" >&2 || true
echo "$summary" | tee "$out/summary.txt"
exit $status
