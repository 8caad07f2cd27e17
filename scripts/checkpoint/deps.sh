#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# deps.sh - install the Debian 12 packages the build and the VM need.
#
# Asks dpkg-query first and calls apt-get (update + install
# --no-install-recommends) only when something is missing; as root, or
# through "sudo -n" otherwise.

set -euo pipefail

PKGS="linux-source-6.1 qemu-system-x86 flex bison bc libelf-dev libssl-dev
cpio xz-utils ccache rsync gcc libc6-dev make git python3 perl iproute2
util-linux coreutils procps e2fsprogs"

missing=
for p in $PKGS; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "  DEPS    installing:$missing" >&2
if [ "$(id -u)" -eq 0 ]; then
	sudo=
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
	sudo="sudo -n"
else
	echo "error: missing packages:$missing (run 'make deps' as root)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
# shellcheck disable=SC2086
$sudo apt-get install -y -q --no-install-recommends $missing </dev/null
