#!/usr/bin/env bash
# Installs the pinned tools the deployment tests (tests/unit/deploy) use, into .learnloop/tools/.
# Idempotent: a tool already at its pinned version is left alone. Needs Go >= 1.26.3 with the Go
# module proxy, and npm with the npm registry; no Docker engine and no other download site.
#   bin/kustomize                        renders deploy/kubernetes overlays
#   bin/dockerfile-utils                 lints the Dockerfile (npm: dockerfile-utils)
#   bin/docker-compose                   `docker compose config` without a Docker engine
#   docker/cli-plugins/docker-compose    the same binary as a docker CLI plugin:
#                                        DOCKER_CONFIG=.learnloop/tools/docker docker compose ...
#   crds/keda/*.yaml                     KEDA's CRDs, whose schemas validate the ScaledObjects
# Call it before the tests in CI:  bash deploy/kubernetes/tools.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

KUSTOMIZE_VERSION=v5.7.1
# Compose v5.5.1: the newest release whose dependencies the module proxy serves in full (v5.6.0
# needs a secret-detector version the proxy refuses) and whose go.mod a Go 1.26.3+ can build.
COMPOSE_VERSION=v5.5.1
KEDA_VERSION=v2.21.0
DOCKERFILE_UTILS_VERSION=0.16.3

TOOLS="$PWD/.learnloop/tools"
mkdir -p "$TOOLS/bin" "$TOOLS/docker/cli-plugins" "$TOOLS/crds/keda"

installed() {  # installed NAME VERSION: true when the marker says NAME is at VERSION
  [ -f "$TOOLS/versions/$1" ] && [ "$(cat "$TOOLS/versions/$1")" = "$2" ]
}
mark() {
  mkdir -p "$TOOLS/versions"
  echo "$2" > "$TOOLS/versions/$1"
}
module_dir() {  # module_dir MODULE@VERSION: the module's source folder in the Go module cache
  go mod download -json "$1" | python3 -c 'import json, sys; print(json.load(sys.stdin)["Dir"])'
}

if ! installed kustomize "$KUSTOMIZE_VERSION" || [ ! -x "$TOOLS/bin/kustomize" ]; then
  echo "installing kustomize $KUSTOMIZE_VERSION"
  GOBIN="$TOOLS/bin" go install "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION"
  mark kustomize "$KUSTOMIZE_VERSION"
fi

if ! installed docker-compose "$COMPOSE_VERSION" || [ ! -x "$TOOLS/bin/docker-compose" ]; then
  echo "building docker compose $COMPOSE_VERSION"
  # `go install module@version` refuses modules whose go.mod has exclude directives (compose's
  # has), so build it as the main module from a copy of its source.
  src="$(module_dir "github.com/docker/compose/v5@$COMPOSE_VERSION")"
  work="$(mktemp -d)"
  trap 'chmod -R u+w "$work" && rm -rf "$work"' EXIT
  cp -R "$src/." "$work/"
  chmod -R u+w "$work"
  (cd "$work" && go build -trimpath -buildvcs=false \
    -ldflags "-s -w -X github.com/docker/compose/v5/internal.Version=$COMPOSE_VERSION" \
    -o "$TOOLS/bin/docker-compose" ./cmd)
  mark docker-compose "$COMPOSE_VERSION"
fi
ln -sf ../../bin/docker-compose "$TOOLS/docker/cli-plugins/docker-compose"

if ! installed keda-crds "$KEDA_VERSION" || [ ! -f "$TOOLS/crds/keda/keda.sh_scaledobjects.yaml" ]; then
  echo "fetching KEDA $KEDA_VERSION CRDs"
  src="$(module_dir "github.com/kedacore/keda/v2@$KEDA_VERSION")"
  for crd in keda.sh_scaledobjects.yaml keda.sh_triggerauthentications.yaml; do
    install -m 0644 "$src/config/crd/bases/$crd" "$TOOLS/crds/keda/$crd"
  done
  mark keda-crds "$KEDA_VERSION"
fi

if ! installed dockerfile-utils "$DOCKERFILE_UTILS_VERSION" || [ ! -e "$TOOLS/bin/dockerfile-utils" ]; then
  echo "installing dockerfile-utils $DOCKERFILE_UTILS_VERSION"
  npm install --prefix "$TOOLS/npm" --no-audit --no-fund --silent \
    "dockerfile-utils@$DOCKERFILE_UTILS_VERSION"
  ln -sf ../npm/node_modules/.bin/dockerfile-utils "$TOOLS/bin/dockerfile-utils"
  mark dockerfile-utils "$DOCKERFILE_UTILS_VERSION"
fi

echo "tools ready in $TOOLS: kustomize $KUSTOMIZE_VERSION, docker compose $COMPOSE_VERSION," \
  "KEDA CRDs $KEDA_VERSION, dockerfile-utils $DOCKERFILE_UTILS_VERSION"
