# The relink image: the worker (default command), the codec server and the Alma simulator (docker-compose.yml).
#
# Compiled with tsc in the build stage rather than run through tsx: production runs plain `node` on JavaScript the
# type checker has passed (a type error fails the image build, not a 3 a.m. start), starts without a transpiler,
# and keeps the layout of the repository (src/worker.js beside fixtures/ and package.json), so every path the code
# resolves from __dirname holds. tsx is still installed (a runtime dependency of the npm scripts), but unused here.
#
# Debian slim, not Alpine: @temporalio/core-bridge ships glibc builds only. Node 22, an LTS line (24 works too:
# --build-arg NODE_VERSION=24); the codec server's token check (jose) is loaded with require(), which 22 has.
ARG NODE_VERSION=22

# ---- build: every dependency, type-check and compile ----------------------------------------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# The compiled code and the prebuilt workflow bundle (dist/src/workflows.bundle.js): the worker loads the bundle
# instead of running webpack at every start.
RUN npm run build

# ---- runtime: production dependencies and the compiled code, run as the unprivileged node user -----------------
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production
# Fewer glibc malloc arenas for the native threads: see WORKER_ENV in src/worker.ts.
ENV MALLOC_ARENA_MAX=2
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist/src ./src
# The development launchers (dev server, demo, CLI builder) have no place in production.
RUN rm -rf src/dev
COPY fixtures ./fixtures
# Root owns the code; the node user (uid 1000) can run it but not change it.
USER node
# The worker shuts down on SIGTERM (the Temporal runtime handles it), finishing or handing back its tasks.
STOPSIGNAL SIGTERM
# Heap limits: WORKER_NODE_FLAGS in src/worker.ts (the same flags as docker-compose.yml's worker command).
CMD ["node", "--max-old-space-size=128", "--max-semi-space-size=4", "src/worker.js"]
