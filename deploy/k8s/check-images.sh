#!/usr/bin/env bash
# Refuses a rendered deployment whose images are not all pinned by a real digest. Run it on the
# output of kustomize before every apply:
#
#   kubectl kustomize deploy/k8s/overlays/<province> | deploy/k8s/check-images.sh
#
# Every `image:` must end in @sha256:<64 hex digits>, and no digest may be the all-zero
# placeholder the example overlay ships with (deploy/README.md, "Images"). Exit 0 when all are
# pinned, 1 (listing each offending image) when one is not, 2 when the input names no image.
set -euo pipefail
placeholder=sha256:0000000000000000000000000000000000000000000000000000000000000000
count=0
bad=0
while IFS= read -r line; do
  # `image: x`, `- image: x`, with or without quotes, as kustomize prints them.
  [[ $line =~ ^[[:space:]]*(-[[:space:]]+)?image:[[:space:]]*[\"\']?([^\"\'[:space:]]+) ]] || continue
  image=${BASH_REMATCH[2]}
  count=$((count + 1))
  if [[ $image == *"@$placeholder" ]]; then
    echo "placeholder digest, not pinned yet: $image" >&2
    bad=$((bad + 1))
  elif ! [[ $image =~ @sha256:[0-9a-f]{64}$ ]]; then
    echo "not pinned by digest: $image" >&2
    bad=$((bad + 1))
  fi
done
if [ "$count" -eq 0 ]; then
  echo "no image found in the input: pipe the output of kubectl kustomize into this script" >&2
  exit 2
fi
if [ "$bad" -gt 0 ]; then
  echo "$bad of $count image reference(s) are not pinned by a real digest" >&2
  exit 1
fi
echo "all $count image references are pinned by digest"
