# Sourced by scripts/run and scripts/test: installs what is missing, never more.
# shellcheck shell=bash

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

install_missing_packages() {
    local wanted missing=() pkg
    wanted=$(sed -e 's/#.*//' "$ROOT/scripts/system-packages.txt" | xargs)
    if ! command -v dpkg-query >/dev/null 2>&1; then
        echo "note: not a Debian/Ubuntu system; make sure these are installed: $wanted" >&2
        return 0
    fi
    for pkg in $wanted; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        local sudo=""
        [ "$(id -u)" -eq 0 ] || sudo="sudo"
        echo "installing system packages: ${missing[*]}" >&2
        $sudo apt-get update -qq
        $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
    fi
}

require_cargo() {
    if ! command -v cargo >/dev/null 2>&1; then
        [ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"
    fi
    if ! command -v cargo >/dev/null 2>&1; then
        echo "error: cargo is not installed. Install Rust 1.95 or newer with rustup (https://rustup.rs), then run this again." >&2
        exit 1
    fi
}

# A clean debug build of the workspace with its test binaries takes about 3 GB; running out half way
# ends in "No space left on device" from rustc, far from the cause. Say it up front instead.
require_disk_space() {
    local need_mb=${1:-4000} dir="${CARGO_TARGET_DIR:-$ROOT/target}" avail_mb
    mkdir -p "$dir"
    avail_mb=$(df -Pm "$dir" | awk 'NR == 2 { print $4 }')
    if [ -n "$avail_mb" ] && [ "$avail_mb" -lt "$need_mb" ]; then
        echo "error: only ${avail_mb} MB free where the build goes ($dir); it needs about ${need_mb} MB." >&2
        echo "       Free some space (an old target dir: cargo clean) or set CARGO_TARGET_DIR to a larger disk, then run this again." >&2
        exit 1
    fi
}
