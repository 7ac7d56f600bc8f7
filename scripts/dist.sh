#!/usr/bin/env bash
# Build the fused codex binary for the release platforms into dist/, plus
# per platform a tar.gz of it with the standalone tools it re-executes,
# with SHA-256 sums and a DotSlash manifest (dist/codex, pointing at the
# archives) whose URLs point at the GitHub release of $VERSION. Run through
# `make dist`.
set -euo pipefail
: "${VERSION:?set VERSION}"
GO=${GO:-go}
REPO=${RELEASE_REPO:-codexgo/codex}
out=dist
rm -rf "$out" && mkdir -p "$out"
# GOOS/GOARCH and the matching DotSlash platform names.
targets=(
  "linux amd64 linux-x86_64"
  "linux arm64 linux-aarch64"
  "darwin amd64 macos-x86_64"
  "darwin arm64 macos-aarch64"
)
entries=()
build() { # os arch package output
  CGO_ENABLED=0 GOOS=$1 GOARCH=$2 "$GO" build -trimpath \
    -ldflags "-s -w -X github.com/codexgo/common/version.Version=$VERSION" -o "$4" "$3"
}
for t in "${targets[@]}"; do
  read -r os arch platform <<<"$t"
  name="codex-$os-$arch"
  echo "build $out/$name"
  (cd codex && build "$os" "$arch" ./cmd/codex "../$out/$name")
  # The archive adds the standalone tools the fused binary re-executes
  # (common/selfexec runs a sibling of the running binary when there is
  # one): the agent starts a sandbox (supervisor and helper) per command,
  # and through the fused file alone that start costs 1.3-1.55x the CPU
  # and ~1.7x the page faults of the standalone pair, whose binaries link
  # none of the TUI's and the MCP SDK's initialisers (codex/bench.sh;
  # README "codex", third pass), above the 1.25x bar. Since the fifth pass
  # the fused file runs both from an early initialiser: 1.05-1.18x the
  # wall time, 0.93-1.21x the CPU, ~1.4x the page faults at load 3 (one
  # round of three runs); kept until a release measures it again.
  dir="$out/$name.d/$name"
  mkdir -p "$dir"
  cp "$out/$name" "$dir/codex"
  tools=(codex-sandbox codex-agent)
  [ "$os" = linux ] && tools+=(codex-linux-sandbox)
  for tool in "${tools[@]}"; do
    (cd "$tool" && build "$os" "$arch" "./cmd/$tool" "../$dir/$tool")
  done
  tar -C "$out/$name.d" --owner=0 --group=0 --numeric-owner --sort=name --mtime=@0 -czf "$out/$name.tar.gz" "$name"
  rm -rf "$out/$name.d"
  size=$(stat -c %s "$out/$name.tar.gz")
  digest=$(sha256sum "$out/$name.tar.gz" | cut -d' ' -f1)
  entries+=("    \"$platform\": {\"size\": $size, \"hash\": \"sha256\", \"digest\": \"$digest\", \"format\": \"tar.gz\", \"path\": \"$name/codex\", \"providers\": [{\"url\": \"https://github.com/$REPO/releases/download/$VERSION/$name.tar.gz\"}]}")
done
(cd "$out" && sha256sum codex-* > SHA256SUMS)
{
  echo '#!/usr/bin/env dotslash'
  echo
  echo '{'
  echo '  "name": "codex",'
  echo '  "platforms": {'
  for i in "${!entries[@]}"; do
    sep=','; [ "$i" -eq $((${#entries[@]} - 1)) ] && sep=''
    echo "${entries[$i]}$sep"
  done
  echo '  }'
  echo '}'
} > "$out/codex"
chmod +x "$out/codex"
echo "wrote $out/SHA256SUMS and the DotSlash manifest $out/codex"
