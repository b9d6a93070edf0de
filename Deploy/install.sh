#!/usr/bin/env bash
# Deploy/install.sh: builds tcnode and installs it as a systemd service.
#
#   sudo Deploy/install.sh             build, install, enable (and start once initialised)
#   sudo Deploy/install.sh --no-build  install the binaries already in .build/release
#
# Safe to run again, for example after `git pull` to upgrade:
#   - it rebuilds and replaces the binaries and the systemd unit,
#   - it restarts a running tcnoded only if one of them changed,
#   - it never touches an existing /etc/tcnode/tcnode.toml or the node's key
#     and database.
#
# What it does:
#   1. installs the system packages tcnode needs (scripts/install-system-packages)
#   2. builds tcnoded and tcnode (swift build -c release)
#   3. installs them to /usr/local/bin
#   4. creates the system user and group "tcnode"
#   5. creates /var/lib/tcnode (0700, tcnode:tcnode)
#   6. installs /etc/tcnode/tcnode.toml from Deploy/tcnode.toml.example, if it
#      does not exist yet
#   7. installs /etc/systemd/system/tcnoded.service and enables it. It starts
#      the service only once the node has a key (after `tcnode init`).
#
# Environment: SWIFT=/path/to/swift if `swift` is not on root's PATH.
set -euo pipefail

# ---- helpers ---------------------------------------------------------------

step() { printf '\n==> %s\n' "$*"; }
say() { printf '    %s\n' "$*"; }
warn() { printf 'install.sh: warning: %s\n' "$*" >&2; }
die() {
    printf 'install.sh: error: %s\n' "$1" >&2
    shift
    for line in "$@"; do printf '    %s\n' "$line" >&2; done
    exit 1
}

usage() {
    cat <<'EOF'
Usage: sudo Deploy/install.sh [--no-build]

Builds tcnode, installs tcnoded and tcnode to /usr/local/bin, creates the
"tcnode" system user, /var/lib/tcnode and /etc/tcnode/tcnode.toml (only if
missing), and installs and enables the systemd service tcnoded.

  --no-build   do not run swift build; install the binaries already built
               in .build/release (e.g. copied from a faster machine)
  -h, --help   show this help

Set SWIFT=/path/to/swift if swift is not on root's PATH.
EOF
}

# ---- arguments and preconditions --------------------------------------------

build=1
for arg in "$@"; do
    case "$arg" in
    --no-build) build=0 ;;
    -h | --help)
        usage
        exit 0
        ;;
    *) die "unknown option '$arg'" "Run: Deploy/install.sh --help" ;;
    esac
done

if [ "$(id -u)" -ne 0 ]; then
    die "this script installs a system service and must run as root." \
        "Run it again with sudo:  sudo $0 $*"
fi

# The repository root is the parent of this script's directory, wherever it
# is run from.
repo=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
for f in Package.swift Deploy/systemd/tcnoded.service Deploy/tcnode.toml.example scripts/install-system-packages; do
    if [ ! -f "$repo/$f" ]; then
        die "cannot find the tcnode source tree at $repo ($f is missing)." \
            "Run the script from its place in the repository: sudo Deploy/install.sh"
    fi
done
cd "$repo"

bindir=/usr/local/bin
unit_src=Deploy/systemd/tcnoded.service
unit_dst=/etc/systemd/system/tcnoded.service
config_src=Deploy/tcnode.toml.example
config_dir=/etc/tcnode
config=$config_dir/tcnode.toml
default_data_dir=/var/lib/tcnode

if [ -d /run/systemd/system ]; then have_systemd=1; else have_systemd=0; fi
changed=0 # set to 1 when a binary or the unit file is new or different

# install_file MODE SRC DST: installs SRC as DST (root:root) and notes
# whether anything changed.
install_file() {
    local mode=$1 src=$2 dst=$3
    if [ -f "$dst" ] && cmp -s "$src" "$dst"; then
        say "$dst is up to date"
    else
        install -m "$mode" -o root -g root "$src" "$dst"
        changed=1
        say "installed $dst"
    fi
}

# ---- 1. system packages ------------------------------------------------------

step "System packages"
if command -v dpkg-query >/dev/null 2>&1; then
    scripts/install-system-packages
    say "done (libsqlite3-dev)"
else
    warn "this is not a Debian/Ubuntu system; install SQLite 3 (library and headers) yourself."
fi

# ---- 2. build ----------------------------------------------------------------

if [ "$build" -eq 1 ]; then
    step "Building tcnoded and tcnode (swift build -c release; this takes a while)"
    swift=${SWIFT:-$(command -v swift || true)}
    if [ -z "$swift" ] || [ ! -x "$swift" ]; then
        die "swift was not found on root's PATH (sudo resets PATH)." \
            "Run:  sudo env PATH=\"\$PATH\" $0 $*" \
            "or:   sudo SWIFT=/path/to/swift $0 $*"
    fi
    # Build as the owner of the source tree, so that .build does not fill up
    # with files owned by root that the owner can no longer rebuild.
    owner=$(stat -c %U "$repo")
    as_owner=()
    if [ "$owner" != root ] && owner_home=$(getent passwd "$owner" | cut -d: -f6) && [ -n "$owner_home" ]; then
        say "building as $owner, the owner of $repo"
        as_owner=(runuser -u "$owner" -- env "HOME=$owner_home" "PATH=$PATH")
    fi
    # swift build takes one --product at a time.
    "${as_owner[@]}" "$swift" build -c release --product tcnoded
    "${as_owner[@]}" "$swift" build -c release --product tcnode
    built=$("${as_owner[@]}" "$swift" build -c release --show-bin-path)
else
    step "Using the binaries already built (--no-build)"
    built=$repo/.build/release
fi
for exe in tcnoded tcnode; do
    if [ ! -x "$built/$exe" ]; then
        die "$built/$exe is missing." "Build it with: swift build -c release (or run this script without --no-build)"
    fi
done

# ---- 3. binaries ---------------------------------------------------------------

step "Binaries in $bindir"
install_file 0755 "$built/tcnoded" "$bindir/tcnoded"
install_file 0755 "$built/tcnode" "$bindir/tcnode"

# The binaries load the Swift runtime libraries from the toolchain they were
# built with. Check that they can be found from $bindir too. The service
# cannot see /home, /root or /run/user (ProtectHome=yes), so the libraries
# must not come from there.
for exe in tcnoded tcnode; do
    libs=$(ldd "$bindir/$exe" 2>&1) || {
        # A fully static binary needs no libraries at all.
        grep -q 'not a dynamic executable' <<<"$libs" && continue
        die "cannot inspect $bindir/$exe with ldd:" "$libs"
    }
    if grep -q 'not found' <<<"$libs"; then
        die "$bindir/$exe cannot find some of its libraries:" \
            "$(grep 'not found' <<<"$libs")" \
            "Install the Swift toolchain system-wide (e.g. under /opt/swift) and build again."
    fi
    if grep -Eq '=> /(home|root|run/user)/' <<<"$libs"; then
        die "$bindir/$exe loads libraries from a home directory, which the service cannot see (ProtectHome=yes):" \
            "$(grep -E '=> /(home|root|run/user)/' <<<"$libs")" \
            "Install the Swift toolchain system-wide (e.g. under /opt/swift) and build again."
    fi
done
say "libraries found"

# ---- 4. user and group ---------------------------------------------------------

step "System user and group tcnode"
if getent group tcnode >/dev/null; then
    say "group tcnode exists"
else
    groupadd --system tcnode
    say "created group tcnode"
fi
if id -u tcnode >/dev/null 2>&1; then
    say "user tcnode exists"
else
    nologin=/usr/sbin/nologin
    [ -x "$nologin" ] || nologin=$(command -v nologin || echo /sbin/nologin)
    useradd --system --gid tcnode --home-dir "$default_data_dir" --no-create-home \
        --shell "$nologin" --comment "tcnode telecenter node" tcnode
    say "created user tcnode"
fi

# ---- 5. data directory -----------------------------------------------------------

step "Data directory"
# An operator may have moved data_dir in the config. Read it from there
# (a plain `data_dir = "..."` line), for the checks below.
data_dir=$default_data_dir
if [ -f "$config" ]; then
    configured=$(sed -n 's/^[[:space:]]*data_dir[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\1/p' "$config" | tail -n 1)
    if [ -n "$configured" ] && [ "$configured" != "$default_data_dir" ]; then
        data_dir=$configured
        warn "data_dir is $data_dir in $config. The service can write there only after" \
            "you add 'ReadWritePaths=$data_dir' under [Service] with: sudo systemctl edit tcnoded"
    fi
fi
install -d -m 0700 -o tcnode -g tcnode "$data_dir"
# Files made by running `tcnode` as root (instead of `sudo -u tcnode tcnode`)
# would lock the daemon out of its own key and database.
if [ -n "$(find "$data_dir" \( ! -user tcnode -o ! -group tcnode \) -print -quit)" ]; then
    chown -R tcnode:tcnode "$data_dir"
    say "gave files in $data_dir back to tcnode:tcnode (some were made by another user, e.g. root)"
fi
say "$data_dir (0700, tcnode:tcnode)"

# ---- 6. configuration ------------------------------------------------------------

step "Configuration"
install -d -m 0755 -o root -g root "$config_dir"
if [ -e "$config" ]; then
    say "$config exists; left as it is (compare with $repo/$config_src for new options)"
else
    # 0640 root:tcnode: the daemon and the tcnode CLI (group tcnode) can read
    # it, other users cannot (it may hold views_token). Only root edits it.
    install -m 0640 -o root -g tcnode "$config_src" "$config"
    say "created $config from $config_src; edit it (name, region, peers)"
fi

# ---- 7. systemd -------------------------------------------------------------------

if [ -e "$data_dir/node.key" ]; then key_exists=1; else key_exists=0; fi

init_help() {
    cat <<EOF

The node has no key yet. Initialise it as the tcnode user, ONE of:

  A telecenter joining an existing network (ask the hub for both ids):
    sudo -u tcnode tcnode init --data-dir $data_dir --network NETWORK_ID --peer HUB_ID@HUB_HOST:7447

  The provincial hub, starting a new network (its node id becomes the network id):
    sudo -u tcnode tcnode init --data-dir $data_dir --genesis

Then:
  - on a telecenter, tcnoded dials the hub given to init --peer; list any
    other centres it should reach in peers in $config:
        peers = ["NODE_ID@HOST:7447"]
  - on the hub, the dashboard is on by default at 127.0.0.1:8080
    (views_listen in $config; set views_token to open it beyond loopback);
  - start the service:
        sudo systemctl start tcnoded
        tcnode status
EOF
}

step "systemd service tcnoded"
if [ "$have_systemd" -eq 0 ]; then
    # No running systemd: a container, a chroot, or an image being prepared.
    # Install and enable the unit anyway (enabling only makes symlinks), so
    # that it starts when the machine boots with systemd. Start nothing.
    if [ -d /etc/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
        install_file 0644 "$unit_src" "$unit_dst"
        if systemctl enable --quiet tcnoded 2>/dev/null; then
            say "enabled: tcnoded will start when this machine boots with systemd"
        fi
    fi
    say "systemd is not running here (/run/systemd/system does not exist), so tcnoded"
    say "was not started. This is normal in containers and chroots. To run it by hand"
    say "as the tcnode user (it stops cleanly on Ctrl-C or SIGTERM):"
    say "    sudo install -d -m 0750 -o tcnode -g tcnode /run/tcnode"
    say "    sudo -u tcnode $bindir/tcnoded --config $config"
    [ "$key_exists" -eq 1 ] || init_help
    exit 0
fi

install_file 0644 "$unit_src" "$unit_dst"
systemctl daemon-reload

start_failed() {
    die "tcnoded did not start." \
        "See why:  journalctl -u tcnoded -n 50 --no-pager" \
        "Fix the problem (often $config), then: sudo systemctl restart tcnoded"
}

if [ "$key_exists" -eq 1 ]; then
    if systemctl is-active --quiet tcnoded; then
        systemctl enable --quiet tcnoded
        if [ "$changed" -eq 1 ]; then
            say "restarting tcnoded to run the new version"
            systemctl restart tcnoded || start_failed
        else
            say "tcnoded is running and nothing changed"
        fi
    else
        systemctl enable --now tcnoded || start_failed
    fi
    say "tcnoded is enabled and running:"
    systemctl --no-pager --lines=0 status tcnoded | sed 's/^/    /' || true
    cat <<EOF

Check replication with:
    tcnode status
    journalctl -u tcnoded -f
EOF
else
    systemctl enable --quiet tcnoded
    say "tcnoded is enabled (it will start at boot) but NOT started: the node is not initialised."
    init_help
fi

if [ -n "${SUDO_USER:-}" ] && [ "$SUDO_USER" != root ] && ! id -nG "$SUDO_USER" | tr ' ' '\n' | grep -qx tcnode; then
    cat <<EOF

To run tcnode status without sudo, add yourself to the group tcnode (then log in again):
    sudo usermod -aG tcnode $SUDO_USER
EOF
fi
