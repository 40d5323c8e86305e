# syntax=docker/dockerfile:1
# ompcord: Discord threads as sessions of the OMP coding agent.
# Build: docker build -t ompcord .
# Run:   docker run -d --name ompcord --restart unless-stopped --stop-timeout 60 \
#          --env-file .env -v ompcord-data:/data -v ~/ompcord-work:/workspace \
#          --security-opt seccomp=unconfined --security-opt apparmor=unconfined \
#          --security-opt systempaths=unconfined ompcord
# (the README's command; test/unit/dockerfile.test.ts keeps the two alike). --restart brings the bot back
# after a crash or a reboot; --stop-timeout lets running prompts finish (OMPCORD_SHUTDOWN_GRACE, 10 s)
# and then be cancelled and saved before Docker's SIGKILL (its default is 10 s).
# The three --security-opt flags let bubblewrap fence off each run inside the container (README, Docker):
# as the non-root user below it needs user namespaces (Docker's seccomp profile blocks them), mounts in
# them (its AppArmor profile denies those) and a fresh /proc (Docker masks parts of /proc, so the kernel
# refuses a new one). No capability is added. Without the flags the bot starts unsandboxed and says so.
# Never mount the checkout as /workspace: its .env holds the bot's token (the bot refuses it).

ARG NODE_VERSION=24
ARG OMP_VERSION=18.2.3
ARG BUN_VERSION=1.4.5

# ---- build: compile TypeScript and the better-sqlite3 native addon ----------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# Full install (dev dependencies carry tsc); pruned to production dependencies after the build.
# `npm install`, not `npm ci`: the lock file lists only the platform packages (biome, omp natives) the
# project's registry serves, and `npm ci` refuses a lock without every platform's optional packages.
# The bot alone: the workspace packages (packages/*, the Discord emulator for tests and the local
# playground) are neither copied nor installed. `--workspaces=false` makes npm ignore the root's
# "workspaces" (and their lock entries) rather than rely on packages/ being absent: even
# `--omit=dev` would otherwise install and link a workspace and its own dependencies. (`ws` is still
# here: discord.js needs it.) The bot loads the local playground (packages/playground, with the
# emulator) at start only when installed: a start here without Discord settings prints the
# configuration help, and --playground says where the playground can be had.
RUN npm install --workspaces=false --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# The OMP extension every run loads: bundled here (bun is a dev dependency) into one file for the image.
COPY scripts/build-omp-extension.ts ./scripts/
COPY packages/omp-extension ./packages/omp-extension
# build:bot and build:extension, not build: `npm run build` also builds the emulator workspace, which
# is not here.
RUN npm run build:bot && npm run build:extension \
 && npm prune --omit=dev --workspaces=false --no-audit --no-fund

# ---- runtime ------------------------------------------------------------------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ARG OMP_VERSION
ARG BUN_VERSION
# The agent's tools need a shell, git and friends; procps gives `ps` for debugging stuck runs.
# bubblewrap fences off each run (OMPCORD_SANDBOX, README "Trust"); as a non-root user it needs no
# setuid bit, only the user namespaces the run flags above allow. (setpriv, used only when the bot runs
# as root, is in util-linux, which every Debian image has.)
RUN apt-get update \
 && apt-get install -y --no-install-recommends bash bubblewrap ca-certificates git procps ripgrep tini \
 && rm -rf /var/lib/apt/lists/*
# omp runs under Bun (its CLI starts with `#!/usr/bin/env bun`): both go on the global PATH.
RUN npm install -g --no-audit --no-fund "bun@${BUN_VERSION}" "@oh-my-pi/pi-coding-agent@${OMP_VERSION}" \
 && omp --version

RUN useradd --create-home --home-dir /home/ompcord --shell /bin/bash ompcord \
 && mkdir -p /data /workspace \
 && chown ompcord:ompcord /data /workspace
WORKDIR /app
COPY --from=build --chown=ompcord:ompcord /app/node_modules ./node_modules
COPY --from=build --chown=ompcord:ompcord /app/dist ./dist
COPY --from=build --chown=ompcord:ompcord /app/packages/omp-extension/dist ./packages/omp-extension/dist
COPY --chown=ompcord:ompcord package.json ./
COPY --chown=ompcord:ompcord migrations ./migrations
COPY --chown=ompcord:ompcord config ./config

# OMPCORD_SANDBOX stays auto: with the run flags above each run is sandboxed; without them the bot
# still starts and warns. Set OMPCORD_SANDBOX=required to refuse to start unsandboxed.
ENV NODE_ENV=production \
    OMPCORD_DATA_DIR=/data \
    OMP_WORKDIR=/workspace \
    OMP_BIN=omp
# Not root: bubblewrap then runs each agent as this same unprivileged user in a user namespace.
USER ompcord
VOLUME ["/data", "/workspace"]
# The sidecar API listens on loopback inside the container; the check runs there too, at the URL the bot
# wrote to <data dir>/sidecar.json (the port is 8901 unless that was taken or OMPCORD_API_PORT says other).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "const f=(process.env.OMPCORD_DATA_DIR||'/data')+'/sidecar.json';fetch(JSON.parse(require('fs').readFileSync(f,'utf8')).url+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# tini, as PID 1, forwards SIGTERM so shutdown is graceful and reaps stray zombies. Each run's own
# processes are ended by its run supervisor (dist/omp/supervisor.mjs, a child subreaper), not by tini:
# `tini -s` exits with its child and leaves the orphans behind.
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/main.js"]
