# syntax=docker/dockerfile:1
# Messenger as one image: the compiled server (node sync-server/dist/main.js) serving the built
# client, the API and /sync on one port, with SQLite in /data. See docker-compose.yml.
#
#   docker build -t messenger .
#   docker run -p 3000:3000 -v messenger-data:/data -e AUTH_SECRET=$(openssl rand -base64 32) messenger

ARG NODE_VERSION=22

# 1. Build: every workspace's dependencies (dev ones too), then the client (Vite) and the
#    server (esbuild bundle). The package.json files come first so this layer is cached.
FROM node:${NODE_VERSION}-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY shared/package.json shared/
COPY sync-server/package.json sync-server/
COPY client/package.json client/
COPY seeds/package.json seeds/
COPY e2e/package.json e2e/
COPY bench/package.json bench/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# 2. The server's production dependencies only. better-sqlite3 is native: it is fetched or
#    compiled here, for this Node version and glibc (the full image has the build tools).
FROM node:${NODE_VERSION}-bookworm AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY shared/package.json shared/
COPY sync-server/package.json sync-server/
COPY client/package.json client/
COPY seeds/package.json seeds/
COPY e2e/package.json e2e/
COPY bench/package.json bench/
# --omit=optional too: vitest, vite and tsx are optional peers of better-auth, and would come along.
RUN npm ci --omit=dev --omit=optional --workspace sync-server --no-audit --no-fund

# 3. What runs: node, the bundle, the built client and production node_modules; no sources,
#    no TypeScript tooling, not root.
FROM node:${NODE_VERSION}-bookworm-slim
ENV NODE_ENV=production \
    PORT=3000 \
    HOST=0.0.0.0 \
    DATA_DIR=/data
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
# sync-server/package.json says "type": "module" for dist/main.js.
COPY --from=build /app/sync-server/package.json ./sync-server/
COPY --from=build /app/sync-server/dist ./sync-server/dist
COPY --from=build /app/client/dist ./client/dist
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/api/health`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node is PID 1 and handles SIGTERM itself (commit, close sockets with 1001, compact, exit 0).
STOPSIGNAL SIGTERM
CMD ["node", "sync-server/dist/main.js"]
