# syntax=docker/dockerfile:1
# One image for the api, worker, simulator and migrate services (docker-compose.yml picks the command).
# Node 24 LTS. The runtime stage holds compiled JavaScript, the prebuilt workflow bundle and production dependencies
# only (no tsx, TypeScript, test tools or pino-pretty), and runs as the unprivileged `node` user.
ARG NODE_IMAGE=node:24-bookworm-slim

# ---- deps: production dependencies exactly as locked (package-lock.json holds every platform's packages)
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# ---- build: all dependencies, TypeScript → dist/, and the workflow bundle (webpack runs here, never at start-up)
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json mikro-orm.config.ts ./
COPY src ./src
COPY workflows ./workflows
COPY activities ./activities
COPY migrations ./migrations
COPY scripts ./scripts
# tsc -p tsconfig.build.json, then scripts/build-workflow-bundle.ts → dist/workflow-bundle.js
RUN npm run build

# ---- runtime
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    LOG_FORMAT=json \
    WORKFLOW_BUNDLE_PATH=/app/dist/workflow-bundle.js
WORKDIR /app
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
COPY --chown=root:root package.json ./
COPY --from=build --chown=root:root /app/dist ./dist
# Files stay owned by root and read-only to the service: a compromised process cannot rewrite its own code.
USER node
# API, worker metrics/health, simulator
EXPOSE 3000 9464 4010
# The API's readiness by default; compose gives the worker and the simulator their own checks.
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "dist/scripts/healthcheck.js", "http://127.0.0.1:3000/readyz"]
CMD ["node", "dist/src/api/main.js"]
