# Slipway's own image, built by its pipeline (.slipway.yml, job `image`). A lite build: the
# pipeline's earlier jobs already compiled the server (dist/) and the web UI (web/dist/) into the
# run's workspace; this file only adds the production dependencies and ships what runs.
#
# NODE_IMAGE needs npm and a C++ toolchain (better-sqlite3 compiles here); RUNTIME_IMAGE only
# `node`. Machines that cannot pull make both with scripts/node-image.sh; elsewhere
# `--build-arg NODE_IMAGE=node:20 --build-arg RUNTIME_IMAGE=node:20-slim` works too.
ARG NODE_IMAGE=slipway/node:20
ARG RUNTIME_IMAGE=slipway/node:20-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# No lifecycle scripts of our own (the `prepare` build needs sources this stage does not have);
# then only the native module the server loads is built. Cached while the lock file is unchanged.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm rebuild better-sqlite3 \
 && npm cache clean --force

FROM ${RUNTIME_IMAGE}
WORKDIR /app
# git serves and mirrors the projects' repositories (the only package the server runs besides Node).
RUN apt-get update -q \
 && apt-get install -y -q --no-install-recommends git \
 && rm -rf /var/lib/apt/lists/*
COPY --from=deps /app/node_modules node_modules
COPY package.json ./
COPY bin bin
COPY dist dist
COPY web/dist web/dist
COPY examples/demo examples/demo
ENV NODE_ENV=production \
    SLIPWAY_HOST=0.0.0.0 \
    SLIPWAY_PORT=8080 \
    SLIPWAY_DATA_DIR=/data
VOLUME /data
EXPOSE 8080
# Node itself asks /healthz: the runtime image has neither curl nor wget.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "bin/slipway.js", "server"]
