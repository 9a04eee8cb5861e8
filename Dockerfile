# The producer, the engine, the replay CLI and the one-shot jobs (topics, migrations) share this image;
# docker-compose.yml picks the program with `command`.
FROM node:20.19-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts/patchDependencies.js ./scripts/
RUN npm ci --ignore-scripts --no-audit --no-fund && node scripts/patchDependencies.js
COPY . .
RUN npx tsc -p tsconfig.build.json && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:20.19-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/db ./db
USER node
CMD ["node", "dist/engine/main.js"]
