# Sourced by scripts/run and scripts/test: installs what is missing, never more.
# shellcheck shell=bash

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# Installs what the listed package files name (default: scripts/system-packages.txt).
install_missing_packages() {
    local wanted missing=() pkg lists=("$@")
    [ ${#lists[@]} -gt 0 ] || lists=("$ROOT/scripts/system-packages.txt")
    wanted=$(sed -e 's/#.*//' "${lists[@]}" | xargs)
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

# Starts a throwaway PostgreSQL server for the intake tests (in a temp dir, on 127.0.0.1, trust
# auth, gone when the calling script exits) and exports ENROLL_KIT_TEST_POSTGRES for them.
# PostgreSQL refuses to run as root, so as root it runs as the "postgres" user the package made.
start_test_postgres() {
    local bin dir port as=()
    bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
        echo "error: PostgreSQL's server programs are not installed (Debian package: postgresql)" >&2
        exit 1
    fi
    dir=$(mktemp -d /tmp/enroll-kit-pg.XXXXXX)
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres "$dir"
        as=(runuser -u postgres --)
    fi
    "${as[@]}" "$bin/initdb" -D "$dir/data" -A trust -U postgres >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    for port in $(shuf -i 20000-29999 -n 20); do
        if "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
            -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null 2>&1; then
            export ENROLL_KIT_TEST_POSTGRES="host=127.0.0.1 port=$port user=postgres"
            TEST_PG_STOP=("${as[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop)
            TEST_PG_DIR=$dir
            echo "PostgreSQL for the intake tests on 127.0.0.1:$port" >&2
            return 0
        fi
    done
    cat "$dir/server.log" >&2
    echo "error: could not start a test PostgreSQL server" >&2
    exit 1
}

stop_test_postgres() {
    if [ -n "${TEST_PG_DIR:-}" ]; then
        "${TEST_PG_STOP[@]}" >/dev/null 2>&1 || true
        rm -rf "$TEST_PG_DIR"
    fi
}

# Starts a throwaway software TPM 2.0 (swtpm, in a temp dir, on 127.0.0.1, gone when the calling
# script exits) and exports ENROLL_KIT_TCTI for the suite's TPM-sealed kits.
start_test_swtpm() {
    local dir port
    if ! command -v swtpm >/dev/null 2>&1; then
        echo "error: swtpm is not installed (Debian package: swtpm)" >&2
        exit 1
    fi
    dir=$(mktemp -d /tmp/enroll-kit-swtpm.XXXXXX)
    for port in $(shuf -i 30000-39998 -n 20); do
        if swtpm socket --tpm2 --tpmstate dir="$dir" \
            --server type=tcp,port="$port",bindaddr=127.0.0.1 \
            --ctrl type=tcp,port=$((port + 1)),bindaddr=127.0.0.1 \
            --flags not-need-init,startup-clear --daemon --pid file="$dir/pid" \
            --log file="$dir/swtpm.log" 2>>"$dir/start.log"; then
            export ENROLL_KIT_TCTI="swtpm:host=127.0.0.1,port=$port"
            TEST_SWTPM_DIR=$dir
            echo "swtpm for the TPM-sealed kits on 127.0.0.1:$port" >&2
            return 0
        fi
    done
    cat "$dir/start.log" >&2
    echo "error: could not start a test swtpm" >&2
    exit 1
}

stop_test_swtpm() {
    if [ -n "${TEST_SWTPM_DIR:-}" ]; then
        [ -f "$TEST_SWTPM_DIR/pid" ] && kill "$(cat "$TEST_SWTPM_DIR/pid")" 2>/dev/null || true
        rm -rf "$TEST_SWTPM_DIR"
    fi
}
