#!/usr/bin/env bash
# Build the release files into dist/ (run through `make dist`):
#   - per platform the fused codex binary, raw and as a tar.gz holding it
#     alone (every tool is a name of it: `codex install-links DIR`);
#   - per Linux architecture the standalone codex-linux-sandbox, for other
#     CLIs that ship only the sandbox helper (2-3 MB instead of ~16);
#   - SHA-256 sums of everything, and DotSlash manifests (dist/codex,
#     dist/codex-linux-sandbox) whose URLs point at the GitHub release of
#     $VERSION.
# The fused file ships alone: no command the agent runs re-executes a
# standalone tool any more (the agent sets the sandbox up itself and
# starts only the sandbox's C init; where it starts the helper, the fused
# file runs it from an early initialiser), and each tool through it
# starts within 1.25x of its standalone binary (codex/bench.sh, README
# "Speed").
set -euo pipefail
: "${VERSION:?set VERSION}"
GO=${GO:-go}
REPO=${RELEASE_REPO:-codexgo/codex}
# DIST_DIR and DIST_TARGETS (GOOS/GOARCH words) narrow a run, as
# codex/dist_test.go does.
out=${DIST_DIR:-dist}
rm -rf "$out" && mkdir -p "$out" && out=$(cd "$out" && pwd)
read -r -a targets <<<"${DIST_TARGETS:-linux/amd64 linux/arm64 darwin/amd64 darwin/arm64}"
# platform OS ARCH: the DotSlash platform name.
platform() {
  local os=$1 arch=$2
  [ "$os" = darwin ] && os=macos
  case $arch in amd64) arch=x86_64 ;; arm64) arch=aarch64 ;; esac
  echo "$os-$arch"
}
entries=()
helpers=()
build() { # os arch package output
  CGO_ENABLED=0 GOOS=$1 GOARCH=$2 "$GO" build -trimpath \
    -ldflags "-s -w -X github.com/codexgo/common/version.Version=$VERSION" -o "$4" "$3"
}
# entry PLATFORM FILE PATH-IN-ARCHIVE: one DotSlash platform entry.
entry() {
  local size digest
  size=$(stat -c %s "$out/$2")
  digest=$(sha256sum "$out/$2" | cut -d' ' -f1)
  printf '    "%s": {"size": %s, "hash": "sha256", "digest": "%s", "format": "tar.gz", "path": "%s", "providers": [{"url": "https://github.com/%s/releases/download/%s/%s"}]}' \
    "$1" "$size" "$digest" "$3" "$REPO" "$VERSION" "$2"
}
# pack NAME FILE: dist/NAME.tar.gz holding NAME/FILE (a copy of dist/NAME),
# reproducibly (fixed owner, order and times).
pack() {
  mkdir -p "$out/$1.d/$1"
  cp "$out/$1" "$out/$1.d/$1/$2"
  tar -C "$out/$1.d" --owner=0 --group=0 --numeric-owner --sort=name --mtime=@0 -czf "$out/$1.tar.gz" "$1"
  rm -rf "$out/$1.d"
}
for t in "${targets[@]}"; do
  os=${t%/*} arch=${t#*/} platform=$(platform "$os" "$arch")
  name="codex-$os-$arch"
  echo "build $out/$name"
  (cd codex && build "$os" "$arch" ./cmd/codex "$out/$name")
  pack "$name" codex
  entries+=("$(entry "$platform" "$name.tar.gz" "$name/codex")")
  if [ "$os" = linux ]; then
    helper="codex-linux-sandbox-$os-$arch"
    echo "build $out/$helper"
    (cd codex-linux-sandbox && build "$os" "$arch" ./cmd/codex-linux-sandbox "$out/$helper")
    pack "$helper" codex-linux-sandbox
    helpers+=("$(entry "$platform" "$helper.tar.gz" "$helper/codex-linux-sandbox")")
  fi
done
# manifest NAME ENTRY...: a DotSlash file for the named program.
manifest() {
  local name=$1 i
  shift
  local -a es=("$@")
  {
    echo '#!/usr/bin/env dotslash'
    echo
    echo '{'
    echo "  \"name\": \"$name\","
    echo '  "platforms": {'
    for i in "${!es[@]}"; do
      sep=','; [ "$i" -eq $((${#es[@]} - 1)) ] && sep=''
      echo "${es[$i]}$sep"
    done
    echo '  }'
    echo '}'
  } > "$out/$name"
  chmod +x "$out/$name"
}
(cd "$out" && sha256sum codex-* > SHA256SUMS)
manifest codex "${entries[@]}"
[ ${#helpers[@]} -eq 0 ] || manifest codex-linux-sandbox "${helpers[@]}"
echo "wrote $out: binaries, archives, SHA256SUMS and DotSlash manifests"
