# Herold: one image for `herold run` (and the operator commands).
# Build: docker build -t herold .   (or: oc new-build --strategy=docker --binary --name=herold)

# --- dependencies: production packages only (tsx runs the TypeScript sources, no build step) ---
FROM node:20-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# --- runtime ---
FROM node:20-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json ./
COPY bin ./bin
COPY src ./src
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
