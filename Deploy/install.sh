#!/usr/bin/env bash
# Deploy/install.sh: builds the tcnode Debian package and installs it here.
#
#   sudo Deploy/install.sh               build dist/tcnode_VERSION_amd64.deb (scripts/package), install it
#   sudo Deploy/install.sh --no-build    install the newest .deb already in dist/
#   sudo Deploy/install.sh --deb FILE    install FILE (for example built on another machine)
#
# A centre PC needs no Swift and no source: copy the .deb there and run
#   sudo apt install ./tcnode_VERSION_amd64.deb
# This script is that, plus the build, plus moving an older install made
# by this script (programs in /usr/local/bin, unit in /etc/systemd/system)
# over to the package.
#
# Safe to run again, for example after `git pull` to upgrade:
#   - the same package already installed: nothing is done;
#   - a new one: apt upgrades it; tcnoded is restarted (if the node has a key);
#   - /etc/tcnode/tcnode.toml, the node's key and database are never
#     overwritten (an edited config is kept; the new example is in
#     /usr/share/doc/tcnode/tcnode.toml.example).
#
# The package's own scripts create the user tcnode and /var/lib/tcnode,
# install and enable tcnoded.service, and start it once the node has a key
# (after `tcnode init`). See docs/OPERATIONS.md, section 1.
#
# Environment: SWIFT=/path/to/swift if `swift` is not on root's PATH.
set -euo pipefail

step() { printf '\n==> %s\n' "$*"; }
say() { printf '    %s\n' "$*"; }
die() {
    printf 'install.sh: error: %s\n' "$1" >&2
    shift
    for line in "$@"; do printf '    %s\n' "$line" >&2; done
    exit 1
}

usage() {
    sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
}

build=1
deb=
while [ $# -gt 0 ]; do
    case "$1" in
    --no-build) build=0 ;;
    --deb)
        [ $# -ge 2 ] || die "--deb needs a file" "Example: sudo Deploy/install.sh --deb ~/tcnode_0.1.0_amd64.deb"
        deb=$2
        build=0
        shift
        ;;
    -h | --help)
        usage
        exit 0
        ;;
    *) die "unknown option '$1'" "Run: Deploy/install.sh --help" ;;
    esac
    shift
done

if [ "$(id -u)" -ne 0 ]; then
    die "this script installs a system package and must run as root." "Run it again with sudo:  sudo $0 $*"
fi
command -v dpkg >/dev/null 2>&1 || die "this is not a Debian-like system (no dpkg)." \
    "Build the package elsewhere, or build from source (swift build -c release) and see docs/OPERATIONS.md."

repo=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
cd "$repo"

# ---- 1. the package ---------------------------------------------------------------

if [ "$build" -eq 1 ]; then
    step "Building the package (scripts/package; the first build takes long)"
    swift=${SWIFT:-$(command -v swift || true)}
    if [ -z "$swift" ] || [ ! -x "$swift" ]; then
        die "swift was not found on root's PATH (sudo resets PATH)." \
            "Run:  sudo env PATH=\"\$PATH\" $0" \
            "or:   sudo SWIFT=/path/to/swift $0" \
            "On a machine without Swift, install a .deb built elsewhere: sudo $0 --deb FILE"
    fi
    # To build: SQLite's headers (scripts/install-system-packages); to
    # package: dpkg-shlibdeps (dpkg-dev), objdump and strip (binutils).
    scripts/install-system-packages
    for pkg in dpkg-dev binutils; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" ||
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$pkg"
    done
    # Build as the owner of the source tree, so that .build-deb and dist/
    # do not fill up with files the owner cannot rebuild.
    owner=$(stat -c %U "$repo")
    as_owner=()
    if [ "$owner" != root ] && owner_home=$(getent passwd "$owner" | cut -d: -f6) && [ -n "$owner_home" ]; then
        say "building as $owner, the owner of $repo"
        as_owner=(runuser -u "$owner" -- env "HOME=$owner_home" "PATH=$PATH")
    fi
    "${as_owner[@]}" env SWIFT="$swift" scripts/package
fi
if [ -z "$deb" ]; then
    deb=$(ls -t "$repo"/dist/tcnode_*_amd64.deb 2>/dev/null | head -n 1 || true)
    [ -n "$deb" ] || die "no package in $repo/dist." "Build one: sudo Deploy/install.sh (without --no-build)"
fi
[ -f "$deb" ] || die "$deb does not exist."
deb=$(readlink -f "$deb")
version=$(dpkg-deb -f "$deb" Version) || die "$deb is not a Debian package."
[ "$(dpkg-deb -f "$deb" Package)" = tcnode ] || die "$deb is not the tcnode package."

# ---- 2. an install made before the package --------------------------------------------

have_systemd=0
[ -d /run/systemd/system ] && have_systemd=1
was_running=0
if [ "$have_systemd" -eq 1 ] && systemctl is-active --quiet tcnoded 2>/dev/null; then was_running=1; fi

old_unit=/etc/systemd/system/tcnoded.service
moved=0
if [ -f "$old_unit" ] && grep -q '^ExecStart=/usr/local/bin/tcnoded' "$old_unit"; then
    step "Moving the install made by an older install.sh over to the package"
    # It would hide the package's unit in /usr/lib/systemd/system.
    wants=/etc/systemd/system/multi-user.target.wants/tcnoded.service
    [ -L "$wants" ] && rm -f "$wants"
    rm -f "$old_unit"
    say "removed $old_unit (the package's unit replaces it; local changes belong in: sudo systemctl edit tcnoded)"
    moved=1
fi
for exe in tcnoded tcnode; do
    # Not from a package: left there, they would run instead of /usr/bin's.
    if [ -e "/usr/local/bin/$exe" ] && ! dpkg -S "/usr/local/bin/$exe" >/dev/null 2>&1; then
        rm -f "/usr/local/bin/$exe"
        say "removed /usr/local/bin/$exe (the package installs /usr/bin/$exe)"
        moved=1
    fi
done
hash -r

# ---- 3. install ------------------------------------------------------------------------

installed=$(dpkg-query -W -f='${Status} ${Version}' tcnode 2>/dev/null || true)
same_files=0
if [ "$installed" = "install ok installed $version" ] &&
    cmp -s <(dpkg-deb -I "$deb" md5sums) /var/lib/dpkg/info/tcnode.md5sums; then
    same_files=1
fi

if [ "$same_files" -eq 1 ]; then
    step "tcnode $version is already installed from this package; nothing to do"
else
    step "Installing tcnode $version from $deb"
    # confold: an edited /etc/tcnode/tcnode.toml is always kept, without a
    # question (also one left by the older install.sh).
    apt_options=(-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
    reinstall=()
    [ "${installed##* }" = "$version" ] && reinstall=(--reinstall) # same version, rebuilt
    if command -v apt-get >/dev/null 2>&1; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y "${apt_options[@]}" "${reinstall[@]}" "$deb" ||
            die "apt-get could not install $deb." \
                "If a library is missing and there is no network, install the Depends listed by: dpkg-deb -f $deb Depends"
    else
        dpkg -i --force-confdef --force-confold "$deb" || die "dpkg -i $deb failed."
    fi
fi

# The package's postinst only starts a stopped service; a daemon still
# running the old /usr/local/bin/tcnoded must be restarted onto /usr/bin.
if [ "$moved" -eq 1 ] && [ "$was_running" -eq 1 ]; then
    say "restarting tcnoded to run /usr/bin/tcnoded"
    systemctl daemon-reload
    systemctl restart tcnoded || die "tcnoded did not start." \
        "See why:  journalctl -u tcnoded -n 50 --no-pager" \
        "Fix the problem (often /etc/tcnode/tcnode.toml), then: sudo systemctl restart tcnoded"
fi

# ---- 4. where things are -----------------------------------------------------------------

step "Installed"
say "$(dpkg-query -W -f='tcnode ${Version}' tcnode): /usr/bin/tcnoded, /usr/bin/tcnode"
say "config  /etc/tcnode/tcnode.toml        data  /var/lib/tcnode"
say "unit    /usr/lib/systemd/system/tcnoded.service   help  man tcnode, man tcnoded"
if [ "$have_systemd" -eq 1 ]; then
    say "service: $(systemctl is-enabled tcnoded 2>/dev/null || true), $(systemctl is-active tcnoded 2>/dev/null || true)"
else
    say "systemd is not running here (a container or a chroot), so tcnoded was not started."
    say "To run it by hand: sudo install -d -m 0750 -o tcnode -g tcnode /run/tcnode"
    say "                   sudo -u tcnode tcnoded --config /etc/tcnode/tcnode.toml"
fi
if [ -n "${SUDO_USER:-}" ] && [ "$SUDO_USER" != root ] && ! id -nG "$SUDO_USER" | tr ' ' '\n' | grep -qx tcnode; then
    say ""
    say "To run tcnode status without sudo, add yourself to the group tcnode (then log in again):"
    say "    sudo usermod -aG tcnode $SUDO_USER"
fi
