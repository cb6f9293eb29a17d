#!/usr/bin/env bash
# Renders an overlay with every medpipe container running the given image, as Jenkins deploys it:
#   deploy/render.sh staging europe-west1-docker.pkg.dev/medpipe-ops/medpipe/medpipe@sha256:...  > staging.yaml
# The image must be in the repository the overlay names (one Artifact Registry for all projects); the rendered
# manifests are checked to run exactly that image.
set -euo pipefail
overlay=${1:?usage: deploy/render.sh OVERLAY IMAGE}
image=${2:?usage: deploy/render.sh OVERLAY IMAGE}
root=$(cd "$(dirname "$0")" && pwd)
[ -d "$root/overlays/$overlay" ] || { echo "no overlay $overlay in $root/overlays" >&2; exit 2; }
case "$image" in
  *@sha256:*) repo=${image%@*}; ref="    digest: ${image#*@}" ;;
  *:*) repo=${image%:*}; ref="    newTag: \"${image##*:}\"" ;;
  *) echo "image $image has neither a digest nor a tag" >&2; exit 2 ;;
esac
[ "${image##*:}" != latest ] || { echo "refusing the tag 'latest': deploy a commit's image" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$root/base" "$root/overlays" "$work/"
cat > "$work/kustomization.yaml" <<KUSTOMIZATION
resources:
  - overlays/$overlay
images:
  - name: $repo
$ref
KUSTOMIZATION
kubectl kustomize "$work" > "$work/out.yaml"
if grep -E '^\s+image:' "$work/out.yaml" | grep -v -F "image: $image" | grep -q .; then
  echo "overlay $overlay does not name the repository $repo; rendered images:" >&2
  grep -E '^\s+image:' "$work/out.yaml" | sort -u >&2
  exit 1
fi
cat "$work/out.yaml"
