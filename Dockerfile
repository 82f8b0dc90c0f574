# syntax=docker/dockerfile:1
# One image for the api, worker, simulator and migrate services (docker-compose.yml picks the command).
ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: dev dependencies, TypeScript → dist/, and the workflow bundle (webpack runs here, never at start-up)
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# `npm install` installs the locked versions; `npm ci` refuses this lockfile (npm 11 leaves out other platforms'
# optional @swc/core-* packages, see scripts/bootstrap.mjs). Switch both stages to `npm ci` once the lockfile is whole.
RUN npm install --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json mikro-orm.config.ts ./
COPY src ./src
COPY workflows ./workflows
COPY activities ./activities
COPY migrations ./migrations
COPY scripts ./scripts
# tsc -p tsconfig.build.json, then scripts/build-workflow-bundle.ts → dist/workflow-bundle.js
RUN npm run build

# ---- runtime: production dependencies and compiled JavaScript only, as the unprivileged `node` user
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    LOG_FORMAT=json \
    WORKFLOW_BUNDLE_PATH=/app/dist/workflow-bundle.js
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
USER node
# API, worker metrics/health, simulator
EXPOSE 3000 9464 4010
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "dist/scripts/healthcheck.js", "http://127.0.0.1:3000/readyz"]
CMD ["node", "dist/src/api/main.js"]
