# Spark Processor sidecar image. First version: official Node 24 image, production dependencies only,
# non-root. Read-only root, dropped capabilities and secrets-only keys are tested in a later step.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
# Production dependencies only; the image's own Node 24 runs the sidecar.
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    SPARK_LISTEN=0.0.0.0:50051 \
    SPARK_DATA_DIR=/data
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY proto ./proto
COPY providers ./providers
COPY src ./src
RUN mkdir -p /data && chown 1000:1000 /data
USER 1000:1000
VOLUME ["/data"]
EXPOSE 50051
ENTRYPOINT ["node", "src/cli/spark.ts"]
CMD ["serve"]
