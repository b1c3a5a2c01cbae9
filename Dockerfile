# syntax=docker/dockerfile:1
# One image for every sre-on-call agent; AGENT_ID (set by the AgentCore runtime) picks the agent.
# Build for AgentCore (arm64):  scripts/build-and-push.sh --stage prod
#   or: docker buildx build --platform linux/arm64 -t sre-on-call-agent .
# No secret is baked in: tokens reach the agents from Secrets Manager at run time.

# Toolchain stages run on the build machine's own platform: their output (TypeScript compiled to
# JavaScript) is the same on every platform.
FROM --platform=$BUILDPLATFORM node:22-bookworm-slim AS pnpm
RUN npm install --global --no-fund --no-audit pnpm@10.34.9
WORKDIR /app
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
COPY packages/core/package.json packages/core/
COPY packages/adapters/package.json packages/adapters/
COPY packages/agents/package.json packages/agents/
COPY packages/deploy/package.json packages/deploy/
COPY examples/embedded-bot/package.json examples/embedded-bot/

FROM pnpm AS deps
RUN pnpm install --frozen-lockfile

FROM deps AS build
COPY tsconfig.base.json tsconfig.json ./
COPY packages/core packages/core
COPY packages/adapters packages/adapters
COPY packages/agents packages/agents
COPY packages/deploy packages/deploy
RUN pnpm exec tsc -b packages/core packages/adapters packages/agents packages/deploy \
 && cd packages/agents/src \
 && find . -path '*/skills/*' -type f -exec cp --parents {} ../dist/ \;

# Production dependencies are installed for the target platform (linux/arm64).
FROM --platform=linux/arm64 node:22-bookworm-slim AS prod-deps
RUN npm install --global --no-fund --no-audit pnpm@10.34.9
WORKDIR /app
COPY --from=pnpm /app ./
RUN pnpm install --frozen-lockfile --prod --filter "@sre-on-call/deploy..." \
 && node -e 'const fs = require("node:fs"); for (const p of ["core", "adapters", "agents", "deploy"]) { const file = `packages/${p}/package.json`; const pkg = JSON.parse(fs.readFileSync(file, "utf8")); pkg.exports = JSON.parse(JSON.stringify(pkg.exports).replaceAll("./src/", "./dist/").replaceAll(".ts\"", ".js\"")); fs.writeFileSync(file, JSON.stringify(pkg, null, 2)); }'

FROM --platform=linux/arm64 node:22-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=prod-deps --chown=root:root /app ./
COPY --from=build /app/packages/core/dist packages/core/dist
COPY --from=build /app/packages/adapters/dist packages/adapters/dist
COPY --from=build /app/packages/agents/dist packages/agents/dist
COPY --from=build /app/packages/deploy/dist packages/deploy/dist
COPY config.yaml ./
# The node image's unprivileged user; the app files stay owned by root, read-only to it.
USER node
EXPOSE 9000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9000/ping').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/bin/sh", "-c", "exec node packages/deploy/dist/cli/main.js agent serve --id \"$AGENT_ID\" --port 9000 --host 0.0.0.0"]
