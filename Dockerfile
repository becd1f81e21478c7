# syntax=docker/dockerfile:1

# --- build: compile TypeScript with the dev dependencies -----------------------------------------
FROM node:24-bookworm-slim AS build
# The embedded MongoDB is for development; images never download its binary.
ENV MONGOMS_DISABLE_POSTINSTALL=1
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# The studio Mini App's page (esbuild): its source, and the texts it takes from locales/.
COPY studio ./studio
COPY locales ./locales
RUN npm run build

# --- runtime: production dependencies and compiled code only ------------------------------------
FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production PORT=3000 HOST=0.0.0.0 MONGOMS_DISABLE_POSTINSTALL=1
# A small young generation: the Buffers a video relay leaves behind are freed at each scavenge
# instead of piling up to ~30 MB (see BENCHMARKS.md). --expose-gc: once a burst of photos has gone
# to MiniMax, the app asks for the full collection an idle V8 would put off (src/images/collect.ts).
# Same flags as `npm start`.
ENV NODE_OPTIONS="--max-semi-space-size=2 --expose-gc"
# glibc's allocator keeps what sharp (libvips) frees on its threads: two arenas, and blocks from
# 32 KB up mapped and unmapped on their own, give a photo fit's memory back (docs/benchmarks.md).
# Same as `npm start`.
ENV MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=32768
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY --from=build /app/studio/dist ./studio/dist
COPY locales ./locales
# The template library, read and checked at start (TEMPLATES_FILE replaces it).
COPY templates.yaml ./
RUN mkdir -p /app/data && chown -R node:node /app/data
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# Skip the prestart build: the image already holds the compiled code.
CMD ["node", "dist/main.js"]
