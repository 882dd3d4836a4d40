# One image for every Takes service; the command picks the service:
#   docker run takes node dist/services/<name>/src/main.js
# The default command runs the event store. See deploy/README.md.
FROM node:20-bookworm-slim

WORKDIR /app

# Only what the install and the build read (not node_modules, dist or .data from the host).
COPY package.json package-lock.json tsconfig.base.json ./
COPY tools ./tools
COPY libs ./libs
COPY services ./services

# Dev dependencies are needed to build (swc); they are dropped once dist/ exists.
RUN npm ci --no-audit --no-fund \
 && node tools/build.mjs \
 && npm prune --omit=dev --no-audit --no-fund \
 && npm cache clean --force

ENV NODE_ENV=production
USER node

# gateway 8080, event-store 8081, projector 8082, conflicts 8083, webhooks 8084, workflows 8085
EXPOSE 8080 8081 8082 8083 8084 8085

CMD ["node", "dist/services/event-store/src/main.js"]
