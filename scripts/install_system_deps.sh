#!/usr/bin/env bash
# Install the Debian packages that chuangwei's maps and tests need:
#   fonts-wqy-microhei           CJK font for static maps (matplotlib)
#   libjs-leaflet                Leaflet, inlined into the HTML maps (no CDN)
#   libjs-leaflet.markercluster  marker clustering for the 问题点位 layer
#   chromium                     headless browser for tests/browser (driven by Playwright)
#   libreoffice-writer-nogui     headless LibreOffice: the tests lay out the Word briefs as PDF
#   poppler-utils                pdfinfo/pdftotext to read those PDFs back
# The heat layer needs no package: its script ships inside the folium wheel.
#
# Idempotent: when every package is installed it touches nothing (no apt-get update).
# Otherwise it runs `apt-get update` once and installs only what is missing.
# Exit status is non-zero, with the tail of apt's output, when that fails.
set -euo pipefail

PACKAGES=(fonts-wqy-microhei libjs-leaflet libjs-leaflet.markercluster chromium libreoffice-writer-nogui poppler-utils)

missing=()
for package in "${PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)
    [[ "$status" == "installed" ]] || missing+=("$package")
done

if ((${#missing[@]} == 0)); then
    echo "install_system_deps: all ${#PACKAGES[@]} system packages already installed"
    exit 0
fi

sudo=()
if [[ "$(id -u)" -ne 0 ]]; then
    if ! command -v sudo >/dev/null; then
        echo "install_system_deps: need root (or sudo) to install: ${missing[*]}" >&2
        exit 1
    fi
    sudo=(sudo)
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
run() {
    if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive "$@" >"$log" 2>&1; then
        echo "install_system_deps: failed: $*" >&2
        tail -n 20 "$log" >&2
        exit 1
    fi
}

echo "install_system_deps: installing ${missing[*]}"
run apt-get update -qq
run apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "install_system_deps: done"
