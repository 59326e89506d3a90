# syntax=docker/dockerfile:1
# POS API image: official Bun image at the version pinned in package.json (deploy/validate.sh
# checks that they agree), production dependencies only, runs as the image's non-root `bun` user.
#
#   docker build -t pos-api .
#   docker run -e DATABASE_URL=... -e REDIS_URL=... -p 3000:3000 pos-api
#
# Graceful stop: SIGTERM turns readiness to 503, stops accepting and lets in-flight requests finish
# within SHUTDOWN_TIMEOUT_MS (10 s here). The orchestrator must wait longer than that before its
# SIGKILL: compose `stop_grace_period: 20s` (deploy/docker-compose.yml) and Kubernetes
# `terminationGracePeriodSeconds: 30` = preStop sleep 5 s + 10 s drain + margin (deploy/k8s).

FROM oven/bun:1.4.5-slim AS deps
WORKDIR /app
COPY package.json bun.lock bunfig.toml ./
# --ignore-scripts: no dependency gets to run code at build time; none needs a postinstall.
RUN bun install --frozen-lockfile --production --ignore-scripts

FROM oven/bun:1.4.5-slim
WORKDIR /app
ENV NODE_ENV=production PORT=3000 SHUTDOWN_TIMEOUT_MS=10000
# Source stays root-owned and read-only to the app user; only DATA_DIR (the embedded database,
# used when DATABASE_URL is unset, e.g. `docker run` for a demo) is writable.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json bunfig.toml tsconfig.json ./
COPY src ./src
COPY db ./db
RUN mkdir -p /app/.data && chown bun:bun /app/.data
USER bun
EXPOSE 3000
STOPSIGNAL SIGTERM
# Liveness only (the process serves): readiness, which also needs PostgreSQL, is for balancers.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["bun", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health/live').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["bun", "src/index.ts"]
