# syntax=docker/dockerfile:1
# One image for the `worker` and `sandbox` services of docker-compose.yml.

FROM node:20.20.2-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts skips our postinstall, which installs the Temporal CLI for local use:
# in Compose the `temporal` service is the server, so the image does not need it.
RUN npm ci --ignore-scripts
# What ships and what builds it; the tests, benchmarks and capture scripts stay out of the image.
COPY tsconfig.json tsconfig.image.json ./
COPY src ./src
COPY sandbox ./sandbox
COPY scripts ./scripts
RUN npm run build:image && npm prune --omit=dev --ignore-scripts

FROM node:20.20.2-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The example specs, so `docker compose exec worker node dist/src/cli/main.js start examples/sandbox.yaml` works.
COPY examples ./examples
# The worker launcher (memory settings measured by npm run bench).
COPY bin ./bin
# Named volumes mounted here start out with this ownership, so the unprivileged user can write.
RUN mkdir -p .data/sandbox/secrets && chown -R node:node .data
USER node
CMD ["bin/g2p-onboard-worker"]
