# Spark Processor sidecar image (docs/container.md).
#
# Two stages on the official Node 24 image: `build` installs the production dependencies and compiles the
# native addon (pkcs11js, with node-gyp); the runtime stage gets only node_modules and the sources, runs as
# 1000:1000 and is meant to run with --read-only --cap-drop=ALL --security-opt no-new-privileges.
#
# The base image is a build argument so the same file builds offline against another Node 24 base (the
# container test builds on a debootstrapped Debian bookworm with the project's own Node binary):
#   docker build --build-arg NODE_IMAGE=<mirror>/node:24.21.0-bookworm-slim .
# BUILD_IMAGE and RUNTIME_IMAGE override one stage each. A base must provide node, npm (build stage only),
# Node's headers under /usr/local/include/node and apt-get, as the official images do.
#
# Registry access: `npm ci` uses the public npm registry unless a build secret says otherwise. A build
# network that needs another registry or a TLS-intercepting proxy passes an npmrc (and, if needed, a CA
# bundle it names as cafile=/run/secrets/npm_ca) as BuildKit/podman build secrets; they are mounted for
# that one RUN and never stored in a layer. Make a minimal npmrc for it (docs/container.md), not your ~/.npmrc:
#   docker build --secret id=npmrc,src=/dev/shm/build.npmrc --secret id=npm_ca,src=/path/to/ca.pem .

# The Node version matches the "node" devDependency in package.json (the container test checks it).
ARG NODE_VERSION=24.21.0
ARG NODE_IMAGE=node:${NODE_VERSION}-bookworm-slim
ARG BUILD_IMAGE=${NODE_IMAGE}
ARG RUNTIME_IMAGE=${NODE_IMAGE}

FROM ${BUILD_IMAGE} AS build
# node-gyp builds pkcs11js (Node-API) from source: it needs python3, make and g++, which the slim image lacks.
# Versions are left to bookworm's stable updates (security fixes), not pinned; this stage is thrown away.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
# Production dependencies only, exactly as locked. node-gyp compiles against the image's own headers
# (its documented npm_package_config_node_gyp_nodedir setting) instead of downloading them, so the build
# reaches no host but the npm registry. The optional secrets configure that registry for this RUN only
# (see the header). No cache cleaning: this stage is thrown away, only node_modules is copied on.
RUN --mount=type=secret,id=npmrc,required=false \
    --mount=type=secret,id=npm_ca,required=false \
    if [ -f /run/secrets/npmrc ]; then export NPM_CONFIG_USERCONFIG=/run/secrets/npmrc; fi \
 && npm_package_config_node_gyp_nodedir=/usr/local \
    npm ci --omit=dev --no-audit --no-fund --update-notifier=false \
 && test -f node_modules/pkcs11js/build/Release/pkcs11.node

FROM ${RUNTIME_IMAGE} AS runtime
ARG NODE_VERSION
LABEL org.opencontainers.image.title="spark-processor" \
      org.opencontainers.image.description="Post-quantum authenticity sidecar for Symbol: batches hashes into Merkle trees, signs batch headers with ML-DSA, serves offline-verifiable proof bundles over gRPC." \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="0.1.0" \
      org.opencontainers.image.documentation="docs/container.md" \
      io.spark.node-version="${NODE_VERSION}" \
      io.spark.run-hardened="--read-only --cap-drop=ALL --security-opt no-new-privileges --user 1000:1000"
# Keys only from secret files in /run/secrets; LMDB in the /data volume; all interfaces inside the container
# (publish the port on the host's loopback or behind TLS, see docs/container.md).
ENV NODE_ENV=production \
    SPARK_LISTEN=0.0.0.0:50051 \
    SPARK_DATA_DIR=/data \
    SPARK_KEY_PROVIDER=docker-secret \
    SPARK_SECRETS_DIR=/run/secrets
WORKDIR /app
# The application stays owned by root: the service user can read it but never change it, even without --read-only.
COPY --from=build /app/node_modules ./node_modules
COPY package.json ./
COPY providers ./providers
COPY src ./src
COPY web/dist ./web/dist
# The only writable place: the data volume, owned by the service user, 0700 like the data directory the
# server would create itself.
RUN mkdir -p /data && chown 1000:1000 /data && chmod 0700 /data
VOLUME ["/data"]
USER 1000:1000
EXPOSE 50051
# grpc.health.v1 over the Connect protocol (HTTP/1.1 + JSON on the same port) with the image's own node, so no
# curl or grpc_health_probe is needed. It follows SPARK_LISTEN's port and uses https when SPARK_TLS_CERT is set
# (certificate not checked: it only asks this container's own server, on loopback, and sends nothing secret).
# With client certificates required (SPARK_TLS_CLIENT_AUTH) it cannot connect: override it or run without it.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "const e=process.env,m=require(e.SPARK_TLS_CERT?'node:https':'node:http');const q=m.request({host:'127.0.0.1',port:(e.SPARK_LISTEN||'').split(':').pop(),path:'/grpc.health.v1.Health/Check',method:'POST',headers:{'content-type':'application/json'},rejectUnauthorized:false,ALPNProtocols:['http/1.1'],timeout:4000},(r)=>{let b='';r.on('data',(d)=>{b+=d}).on('end',()=>process.exit(/\"SERVING\"/.test(b)?0:1))});q.on('timeout',()=>q.destroy()).on('error',()=>process.exit(1)).end('{}')"]
# A 4 MiB young generation keeps the server near 220 MB under sustained ingest instead of ~320 MB (docs/PERFORMANCE.md).
ENTRYPOINT ["node", "--max-semi-space-size=4", "src/cli/spark.ts"]
# Plaintext on 0.0.0.0 inside the container is refused unless asked for by name: --insecure. The port must then
# be published on the host's loopback only (docs/container.md). With TLS (SPARK_TLS_CERT/SPARK_TLS_KEY from
# /run/secrets) run the image with the command `serve` instead, without --insecure.
CMD ["serve", "--insecure"]
