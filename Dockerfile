# syntax=docker/dockerfile:1
# The Onward image (worker, API, CLI): `docker build -t onward .`, or `docker compose build`.
#   build   TypeScript → dist/, and the workflow bundle built ahead of time (scripts/bundle-workflows.ts)
#   deps    production node_modules only
#   runtime slim Debian + Node, the app read-only, running as the unprivileged `node` user
# Default command: `onward worker`. Any other CLI command works too, e.g. `onward api` (the compose file's api service).

# Debian (glibc), not Alpine: the Temporal SDK's native core ships for glibc.
ARG NODE_IMAGE=node:22.23.2-bookworm-slim

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
 && npx tsx scripts/bundle-workflows.ts dist/workflow-bundle.js

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts

FROM ${NODE_IMAGE} AS runtime
# A bounded heap keeps a worker with thousands of sequences in flight under ~400 MB RSS (bench, figure 4);
# override NODE_OPTIONS for workers that run many activities at once.
ENV NODE_ENV=production \
    NODE_OPTIONS=--max-old-space-size=256 \
    ONWARD_WORKFLOW_BUNDLE=/app/dist/workflow-bundle.js
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The email templates, where the compiled code looks for them (dist/activities/../templates), and the dashboard
# (its pages and app.ts, which the API serves with the types stripped) beside the compiled API (dist/client/dashboard).
COPY templates ./dist/templates
COPY client/dashboard ./dist/client/dashboard
COPY package.json ./
# `onward ...` inside the container, e.g. `docker compose exec worker onward list`.
RUN printf '#!/bin/sh\nexec node /app/dist/client/cli.js "$@"\n' > /usr/local/bin/onward \
 && chmod 0755 /usr/local/bin/onward \
 && mkdir /data && chown node:node /data
# /data: the one writable place, for `onward api`'s records (the api-data volume in docker-compose.yml).
# Everything above belongs to root and is read-only for the process.
USER node
ENTRYPOINT ["node", "/app/dist/client/cli.js"]
CMD ["worker"]
