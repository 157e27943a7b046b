# Herold: one image for `herold run` (and the operator commands).
# Build: docker build -t herold .   (or: oc new-build --strategy=docker --binary --name=herold)

# Node 24 LTS (Node 20 reached end of life in April 2026; Herold still runs on 20, see package.json engines).

# --- build: all packages, TypeScript compiled to dist/ and bundled into dist/herold.cjs (npm ci runs
# `prepare`, which is the build: bin/build.js) ---
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY src ./src
RUN npm ci --no-audit --no-fund

# --- dependencies: production packages only; no scripts, since `prepare` needs the dev packages ---
FROM node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# --- runtime ---
FROM node:24-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json ./
COPY bin ./bin
COPY --from=build /app/dist ./dist
COPY templates ./templates
COPY schedules ./schedules
# OpenShift runs containers with an arbitrary user id in group 0: let group 0 read what the owner reads.
RUN chgrp -R 0 /app && chmod -R g=u /app
# Non-root: the image's `node` user (uid 1000); OpenShift replaces it with the project's uid.
USER 1000
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "bin/herold.js", "run"]
