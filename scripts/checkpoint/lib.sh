# SPDX-License-Identifier: GPL-2.0
#
# lib.sh - common definitions for the checkpoint/restart build scripts.
#
# Sourced (not executed) by the other scripts in this directory.  Every
# path is derived from the location of this file, so the scripts work
# from any fresh clone of the repository.

set -euo pipefail

# Make variables given on the root make command line (CMD=, DEBUG=, ...)
# travel in MAKEFLAGS; keep them away from the kernel and tools makes.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES GNUMAKEFLAGS || true

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=$TOP/build
TREE=$BUILD/linux
STAMPS=$BUILD/stamps
LOCK=$BUILD/.build.lock
KERNEL_TARBALL=${KERNEL_TARBALL:-/usr/src/linux-source-6.1.tar.xz}
JOBS=${JOBS:-$(nproc)}
SELFTEST_DIR=tools/testing/selftests/checkpoint
QEMU_DIR=$SELFTEST_DIR/qemu

# Compiler cache: the default ~/.ccache (persists across clones); paths
# below the checkout are hashed relative to it so clones share hits.
export CCACHE_BASEDIR=$TOP
KCC=${KCC:-ccache gcc}

# Directories that hold files new to the kernel; copied verbatim into
# the kernel tree (they are entirely ours: --delete is safe in them).
NEW_DIRS="checkpoint arch/x86/checkpoint mm/checkpoint fs/checkpoint
tools/checkpoint $SELFTEST_DIR Documentation/checkpoint"
# Globs of new files that live in directories shared with the kernel.
NEW_FILE_GLOBS="include/linux/checkpoint*.h include/uapi/linux/checkpoint*.h"

mkdir -p "$BUILD" "$STAMPS"

msg() { printf '  %-8s %s\n' "$1" "$2" >&2; }
die() { echo "error: $*" >&2; exit 1; }

# kmake OUTDIR ARGS... - run the kernel's make on the prepared tree,
# serialised against every other kernel build of this checkout.
kmake() {
	local out=$1; shift
	flock "$LOCK" make -C "$TREE" O="$out" CC="$KCC" -j"$JOBS" "$@"
}

# kconfig_make OUTDIR ARGS... - the same without the lock, for the quick
# configuration targets (they only write below OUTDIR).
kconfig_make() {
	local out=$1; shift
	make -C "$TREE" O="$out" CC="$KCC" "$@"
}

# tgit ARGS... - git in the kernel tree with a fixed local identity.
tgit() {
	git -C "$TREE" -c user.name="Checkpoint Build" \
		-c user.email="checkpoint-build@localhost" \
		-c advice.detachedHead=false "$@"
}

# hash_files FILES... - one sha256 over names and contents.
hash_files() {
	local f
	for f in "$@"; do
		[ -e "$f" ] || continue
		printf '%s\n' "${f#"$TOP"/}"
		cat "$f"
	done | sha256sum | cut -d' ' -f1
}

# kconfig_defines SYMBOL - is "config SYMBOL" defined in a Kconfig file
# of the tree that the kernel's Kconfig actually reads (that some other
# Kconfig file sources)?
kconfig_defines() {
	local f rel
	for f in $(grep -rlsE --include='Kconfig*' --exclude-dir=.git \
			"^[[:space:]]*(menu)?config[[:space:]]+$1[[:space:]]*$" "$TREE"); do
		rel=${f#"$TREE"/}
		case $rel in Kconfig|arch/x86/Kconfig) return 0 ;; esac
		grep -rqsE --include='Kconfig*' --exclude-dir=.git \
			"^[[:space:]]*[or]?source[[:space:]]+\"$rel\"" "$TREE" && return 0
	done
	return 1
}
