#!/usr/bin/env bash
# Build the fused codex binary for the release platforms into dist/, with
# SHA-256 sums and a DotSlash manifest (dist/codex) whose URLs point at the
# GitHub release of $VERSION. Run through `make dist`.
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
for t in "${targets[@]}"; do
  read -r os arch platform <<<"$t"
  name="codex-$os-$arch"
  echo "build $out/$name"
  (cd codex && CGO_ENABLED=0 GOOS=$os GOARCH=$arch "$GO" build -trimpath \
    -ldflags "-s -w -X github.com/codexgo/common/version.Version=$VERSION" \
    -o "../$out/$name" ./cmd/codex)
  size=$(stat -c %s "$out/$name")
  digest=$(sha256sum "$out/$name" | cut -d' ' -f1)
  entries+=("    \"$platform\": {\"size\": $size, \"hash\": \"sha256\", \"digest\": \"$digest\", \"providers\": [{\"url\": \"https://github.com/$REPO/releases/download/$VERSION/$name\"}]}")
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
