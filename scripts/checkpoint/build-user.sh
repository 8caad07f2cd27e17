#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build-user.sh headers|tools|selftests - build the userspace parts.
#
#   headers    make headers_install INSTALL_HDR_PATH=build/hdr (from the
#              prepared tree: new syscalls, linux/checkpoint*.h)
#   tools      tools/checkpoint -> build/tools/ (ckpt, rstr, ckptinfo)
#   selftests  tools/testing/selftests/checkpoint -> build/selftests/
#
# tools and selftests are built with the host's gcc from the copies in
# the prepared tree (identical to the repository's, and next to what
# they include from the kernel tree, e.g. kselftest_harness.h), against
# the installed headers.  A part whose Makefile does not exist yet is
# skipped with a message.

. "$(dirname "$0")/lib.sh"
cd "$TOP"

khdr="-isystem $BUILD/hdr/include"
case $1 in
headers)
	stamp=$STAMPS/headers
	want=$( { cat "$STAMPS/patches"; hash_files $(cd "$TREE" && ls include/uapi/linux/checkpoint*.h 2>/dev/null | sed "s|^|$TREE/|"); } | sha256sum)
	if [ -f "$BUILD/hdr/include/asm/unistd_64.h" ] && [ "$want" = "$(cat "$stamp" 2>/dev/null)" ]; then
		exit 0
	fi
	msg HEADERS "build/hdr"
	rm -f "$stamp"
	kmake "$BUILD/hdr-obj" -s headers_install INSTALL_HDR_PATH="$BUILD/hdr" >/dev/null
	echo "$want" > "$stamp"
	;;
tools)
	if [ ! -f "$TREE/tools/checkpoint/Makefile" ]; then
		msg SKIP "tools/checkpoint/Makefile does not exist yet"
		exit 0
	fi
	msg TOOLS "build/tools"
	mkdir -p "$BUILD/tools"
	make -s -C "$TREE/tools/checkpoint" OUTPUT="$BUILD/tools/" KHDR_INCLUDES="$khdr"
	;;
selftests)
	if [ ! -f "$TREE/$SELFTEST_DIR/Makefile" ]; then
		msg SKIP "$SELFTEST_DIR/Makefile does not exist yet"
		exit 0
	fi
	msg SELFTEST "build/selftests"
	mkdir -p "$BUILD/selftests"
	make -s -C "$TREE/$SELFTEST_DIR" OUTPUT="$BUILD/selftests" KHDR_INCLUDES="$khdr"
	;;
*)
	die "usage: build-user.sh headers|tools|selftests"
	;;
esac
