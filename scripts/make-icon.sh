#!/usr/bin/env bash
# Renders the gallery icon media/icon.png (128x128) from the activity-bar icon media/icon.svg: the same strokes,
# light on a dark rounded square (the activity-bar SVG draws in currentColor, which a gallery does not set).
# Needs rsvg-convert (apt-get install librsvg2-bin). The PNG is committed; run this again after changing icon.svg.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v rsvg-convert >/dev/null || { echo "make-icon: rsvg-convert is missing; apt-get install librsvg2-bin" >&2; exit 1; }
inner="$(sed -e '1d' -e '$d' media/icon.svg)"
tmp="$(mktemp --suffix .svg)"
trap 'rm -f "$tmp"' EXIT
cat > "$tmp" <<SVG
<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128" viewBox="0 0 128 128">
  <rect width="128" height="128" rx="24" fill="#1d3557"/>
  <g transform="translate(16 16) scale(4)" fill="none" stroke="#f1faee" stroke-width="1.5" stroke-linecap="round" stroke-linejoin="round">
$inner
  </g>
</svg>
SVG
rsvg-convert -w 128 -h 128 "$tmp" -o media/icon.png
echo "make-icon: wrote media/icon.png"
