#!/usr/bin/env bash
# Builds the Node images Slipway's own pipeline (.slipway.yml) runs in, on a machine that cannot
# pull images — nothing is downloaded but Debian packages from the mirror apt already uses:
#
#   slipway/debian:bookworm   Debian 12 minbase, made by debootstrap and imported (~55 s, once)
#   slipway/node:<major>      + this machine's node, npm and Node headers, python3, make, g++, git
#                             (what the official node:<major> image offers; the CI jobs use it)
#   slipway/node:<major>-slim + this machine's node only (the runtime stage of the Dockerfile)
#
# Both Node images carry this machine's CA bundle, so `npm ci` in a container works where the
# registry is reached through a TLS-intercepting proxy, and node-gyp compiles native modules
# against the copied headers (nodedir=/usr/local) instead of downloading them. Images are rebuilt
# only when missing or made from another recipe (this script's Dockerfile, npmrc or another Node
# version), so running it again is cheap; --force rebuilds all three. Needs root (debootstrap), a running Docker
# engine and `apt-get install debootstrap`. On a machine that can pull, `node:20` and
# `node:20-slim` do the same job: set NODE_IMAGE / RUNTIME_IMAGE (see .slipway.yml).
set -euo pipefail

force=false
for arg in "$@"; do
  case "$arg" in
    --force) force=true ;;
    -h | --help)
      sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "node-image.sh: unknown argument \"$arg\" (only --force)" >&2
      exit 2
      ;;
  esac
done

here="$(cd "$(dirname "$0")" && pwd)"
# The Debian client: another `docker` earlier on PATH may not speak to this engine's version.
docker=/usr/bin/docker
[[ -x $docker ]] || docker="$(command -v docker)"
node_bin="$(command -v node)"
major="$(node -p 'process.versions.node.split(".")[0]')"
debian_image=slipway/debian:bookworm
node_image="slipway/node:${major}"
slim_image="slipway/node:${major}-slim"
ca_bundle=/etc/ssl/certs/ca-certificates.crt

have() { "$docker" image inspect "$1" >/dev/null 2>&1; }
npmrc="$(printf 'cafile=%s\nnodedir=/usr/local\naudit=false\nfund=false\nupdate-notifier=false\n' "$ca_bundle")"
# What the Node images are made of: an image built from another recipe is stale.
recipe="$({ cat "$here/node-image/Dockerfile"; echo "$npmrc"; node --version; } | sha256sum | cut -c1-16)"
recipe_of() { "$docker" image inspect -f '{{index .Config.Labels "io.slipway.recipe"}}' "$1" 2>/dev/null || true; }

if $force || ! have "$debian_image"; then
  command -v debootstrap >/dev/null || {
    echo 'node-image.sh: debootstrap is missing: apt-get install debootstrap' >&2
    exit 1
  }
  # The mirror apt already uses (deb822 sources first, then the classic list).
  mirror="$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1)"
  [[ -n $mirror ]] || mirror="$(awk '$1 == "deb" { print $2; exit }' /etc/apt/sources.list 2>/dev/null || true)"
  mirror="${mirror:-http://deb.debian.org/debian}"
  rootfs="$(mktemp -d /tmp/slipway-debian-XXXXXX)"
  trap 'rm -rf "$rootfs"' EXIT
  echo "==> debootstrap bookworm from $mirror"
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$rootfs.log" 2>&1 || {
    tail -n 20 "$rootfs.log" >&2
    exit 1
  }
  rm -f "$rootfs.log"
  # Files a container should not inherit from the build machine's bootstrap.
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | "$docker" import -c 'CMD ["bash"]' - "$debian_image" >/dev/null
  rm -rf "$rootfs"
  trap - EXIT
  echo "built $debian_image"
fi

if $force || [[ $(recipe_of "$node_image") != "$recipe" || $(recipe_of "$slim_image") != "$recipe" ]]; then
  context="$(mktemp -d /tmp/slipway-node-context-XXXXXX)"
  trap 'rm -rf "$context"' EXIT
  cp "$here/node-image/Dockerfile" "$context/"
  cp "$node_bin" "$context/node"
  cp -r "$(dirname "$(dirname "$(readlink -f "$node_bin")")")/lib/node_modules/npm" "$context/npm"
  # Node's headers, for node-gyp (the nodesource/Debian layout, or an official tarball's).
  headers="$(dirname "$(dirname "$(readlink -f "$node_bin")")")/include/node"
  [[ -f $headers/node.h ]] || {
    echo "node-image.sh: Node's headers are not at $headers (native modules could not compile)" >&2
    exit 1
  }
  cp -r "$headers" "$context/include"
  cp "$ca_bundle" "$context/ca-certificates.crt"
  echo "$npmrc" >"$context/npmrc"
  echo "==> $slim_image and $node_image (Node $(node --version))"
  DOCKER_BUILDKIT=1 "$docker" build -q --target slim --build-arg "DEBIAN_IMAGE=$debian_image" \
    --label "io.slipway.recipe=$recipe" -t "$slim_image" "$context" >/dev/null
  DOCKER_BUILDKIT=1 "$docker" build -q --target full --build-arg "DEBIAN_IMAGE=$debian_image" \
    --label "io.slipway.recipe=$recipe" -t "$node_image" "$context" >/dev/null
  rm -rf "$context"
  trap - EXIT
  echo "built $slim_image and $node_image"
fi
"$docker" image ls --format '{{.Repository}}:{{.Tag}}  {{.Size}}' |
  grep -E "^(${debian_image}|${node_image}|${slim_image})  " || true
