#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build-kernel.sh NAME - build build/NAME/arch/x86/boot/bzImage.
#
# An incremental "make bzImage" (with ccache) in build/NAME, serialised
# with other kernel builds by flock on build/.build.lock.  When no file
# of the tree (nor the .config) is newer than the existing bzImage, the
# kernel make is skipped altogether (build/NAME/.built records the time
# the last successful build started).

. "$(dirname "$0")/lib.sh"
cd "$TOP"

name=$1
out=$BUILD/$name
img=$out/arch/x86/boot/bzImage
done=$out/.built
[ -f "$out/.config" ] || die "build/$name/.config missing"

if [ -f "$img" ] && [ -f "$done" ] && [ ! "$out/.config" -nt "$done" ] &&
   [ -z "$(find "$TREE" -path "$TREE/.git" -prune -o -newer "$done" -type f -print -quit)" ]; then
	exit 0
fi
msg KERNEL "build/$name (make -j$JOBS bzImage)"
start=$(date +%s)
rm -f "$done"
touch "$out/.building"
if [ -n "${V:-}" ]; then
	kmake "$out" bzImage
else
	kmake "$out" -s bzImage
fi
mv "$out/.building" "$done"
msg DONE "build/$name/arch/x86/boot/bzImage in $(( $(date +%s) - start )) s"
