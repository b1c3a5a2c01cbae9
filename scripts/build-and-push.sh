#!/usr/bin/env bash
# Builds the agent image (linux/arm64) and pushes it to the ECR repository of every agent the
# stage deployed (`sst deploy` created them: <project>-<stage>/<agent>). Then deploy the tag:
#   SRE_IMAGE_TAG=<tag> npx sst@4 deploy --stage <stage>
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/build-and-push.sh --stage <stage> [options]

Builds the one agent image (Dockerfile, linux/arm64) and pushes it to each agent's ECR repository
of the stage, with one tag. Prints the tag to deploy with SRE_IMAGE_TAG.

Options:
  --stage <name>      the SST stage (required)
  --project <name>    project name from config.yaml (default: sre-on-call)
  --region <region>   AWS region (default: AWS_REGION, then the AWS CLI's configured region)
  --tag <tag>         image tag (default: the git commit, plus -dirty for uncommitted changes)
  --agents <a,b,...>  agents to push (default: every <project>-<stage>/<agent> repository in ECR)
  --dry-run           print the commands instead of running them
  -h, --help          this text

Needs: aws CLI v2 (or v1), docker with buildx; credentials for the stage's account.
USAGE
}

die() { echo "build-and-push: $*" >&2; exit 2; }

stage="" project="sre-on-call" region="${AWS_REGION:-}" tag="" agents="" dry_run=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --stage) stage="${2:-}"; shift 2 || die "--stage needs a value" ;;
    --project) project="${2:-}"; shift 2 || die "--project needs a value" ;;
    --region) region="${2:-}"; shift 2 || die "--region needs a value" ;;
    --tag) tag="${2:-}"; shift 2 || die "--tag needs a value" ;;
    --agents) agents="${2:-}"; shift 2 || die "--agents needs a value" ;;
    --dry-run) dry_run=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done

[[ -n "$stage" ]] || die "--stage is required (the stage you deployed: npx sst@4 deploy --stage prod)"
[[ "$stage" =~ ^[a-z][a-z0-9-]*$ ]] || die "--stage must be lowercase letters, digits and dashes"
[[ "$project" =~ ^[a-z][a-z0-9-]*$ ]] || die "--project must be lowercase letters, digits and dashes"
if [[ -z "$region" ]]; then region="$(aws configure get region 2>/dev/null || true)"; fi
[[ -n "$region" ]] || die "no region: pass --region or set AWS_REGION"

if [[ -z "$tag" ]]; then
  tag="$(git rev-parse --short=12 HEAD 2>/dev/null || date -u +%Y%m%d%H%M%S)"
  if [[ -n "$(git status --porcelain 2>/dev/null || true)" ]]; then tag="${tag}-dirty-$(date -u +%Y%m%d%H%M%S)"; fi
fi
[[ "$tag" =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]] || die "--tag $tag is not a valid image tag"

run() {
  if [[ "$dry_run" == 1 ]]; then printf '+ %s\n' "$*"; else "$@"; fi
}

account="$(aws sts get-caller-identity --query Account --output text --region "$region")"
registry="${account}.dkr.ecr.${region}.amazonaws.com"
prefix="${project}-${stage}/"

if [[ -z "$agents" ]]; then
  repositories="$(aws ecr describe-repositories --region "$region" \
    --query "repositories[?starts_with(repositoryName, '${prefix}')].repositoryName" --output text)"
  agents="$(tr '\t' '\n' <<<"$repositories" | sed -n "s|^${prefix}||p" | sort | paste -sd, -)"
  [[ -n "$agents" ]] || die "no ECR repositories named ${prefix}<agent> in ${region}; run npx sst@4 deploy --stage ${stage} first"
fi

tags=()
IFS=',' read -r -a agent_list <<<"$agents"
for agent in "${agent_list[@]}"; do
  [[ "$agent" =~ ^[a-z][a-z-]*$ ]] || die "--agents: $agent is not an agent id"
  tags+=(--tag "${registry}/${prefix}${agent}:${tag}")
done

echo "build-and-push: ${#agent_list[@]} agent(s) [${agents}] -> ${registry}/${prefix}*:${tag}" >&2
# The password goes from the CLI to docker through a pipe, never through argv or a file.
if [[ "$dry_run" == 1 ]]; then
  printf '+ aws ecr get-login-password --region %s | docker login --username AWS --password-stdin %s\n' "$region" "$registry"
else
  aws ecr get-login-password --region "$region" | docker login --username AWS --password-stdin "$registry"
fi
# One build, one tag per agent repository: every agent runs the same image, AGENT_ID picks the agent.
# Provenance attestations off: AgentCore pulls a plain single-platform arm64 manifest.
run docker buildx build --platform linux/arm64 --provenance=false "${tags[@]}" --push "$(cd "$(dirname "$0")/.." && pwd)"

echo "build-and-push: pushed. Deploy it with:  SRE_IMAGE_TAG=${tag} npx sst@4 deploy --stage ${stage}" >&2
echo "$tag"
