# syntax=docker/dockerfile:1
# The Onward image (worker, API, codec server, CLI): `docker build -t onward .`, or `docker compose build`.
#   build   TypeScript → dist/, the workflow bundle built ahead of time (scripts/bundle-workflows.ts), the dashboard's
#           script as JavaScript
#   deps    production node_modules only, without the Temporal core's binaries for other platforms and its Rust sources
#   runtime slim Debian + Node, the app read-only, running as the unprivileged `node` user
# Default command: `onward worker`. Any other CLI command works too, e.g. `onward api` (the compose file's api service).
# `onward dev` is a development command and is not in the image (its packages are development dependencies).

# Debian (glibc), not Alpine: the Temporal SDK's native core ships for glibc. Node 24: the current LTS.
ARG NODE_IMAGE=node:24.21.0-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No install scripts: nothing here needs one (see "allowScripts" in package.json).
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY workflows ./workflows
COPY activities ./activities
COPY common ./common
COPY worker ./worker
COPY client ./client
COPY scripts ./scripts
RUN npm run build \
 && npx tsx scripts/bundle-workflows.ts dist/workflow-bundle.js \
 && npx esbuild client/dashboard/app.ts --bundle --log-level=warning --target=es2022 --format=esm --outfile=dist/client/dashboard/app.js

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# The Temporal core ships prebuilt binaries for five platforms and its Rust sources: keep this platform's binary only.
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts \
 && cd node_modules/@temporalio/core-bridge \
 && target=$(node -p "require('./common').getPrebuiltTargetName()") \
 && find releases -mindepth 1 -maxdepth 1 ! -name "$target" -exec rm -rf {} + \
 && rm -rf sdk-core src bridge-macros Cargo.toml Cargo.lock scripts \
 && node -e "require('@temporalio/core-bridge')"

FROM ${NODE_IMAGE} AS runtime
# A bounded heap keeps a worker with thousands of sequences in flight under ~400 MB RSS (bench, figure 4);
# override NODE_OPTIONS for workers that run many activities at once.
ENV NODE_ENV=production \
    NODE_OPTIONS=--max-old-space-size=256 \
    ONWARD_WORKFLOW_BUNDLE=/app/dist/workflow-bundle.js
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The email templates, where the compiled code looks for them (dist/activities/../templates), and the dashboard's
# pages beside the compiled API (dist/client/dashboard, where the build stage put app.js).
COPY templates ./dist/templates
COPY client/dashboard/index.html client/dashboard/style.css ./dist/client/dashboard/
COPY package.json ./
# `onward ...` inside the container, e.g. `docker compose exec worker onward list`.
RUN printf '#!/bin/sh\nexec node /app/dist/client/cli.js "$@"\n' > /usr/local/bin/onward \
 && chmod 0755 /usr/local/bin/onward \
 && mkdir /data && chown node:node /data
# /data: the one writable place (the api-data volume in docker-compose.yml), and the working directory, so that every
# default path a process writes resolves there: the embedded database `.onward/db`, the API's records
# `.onward/api-records.json`, the old `.onward/suppressions.json`. /app belongs to root and is read-only for the
# process; compose also makes the whole root file system read-only (read_only, with a tmpfs /tmp for temporary files).
WORKDIR /data
ENV TMPDIR=/tmp
USER node
ENTRYPOINT ["node", "/app/dist/client/cli.js"]
CMD ["worker"]
