#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# prepare-tree.sh - prepare the kernel source tree in build/linux.
#
#  1. Unpack the pristine linux-source-6.1 tarball into build/linux and
#     make it a git repository whose first commit is tagged "base".
#  2. Apply patches/*.patch (edits to existing kernel files) with git am
#     on branch "work"; redone from "base" only when the patches change.
#  3. Copy the repository's new-file directories into the tree with
#     rsync in checksum mode, so unchanged files keep their mtime and the
#     incremental kernel build stays fast.
#
# Idempotent; a no-op run takes a second or two.

. "$(dirname "$0")/lib.sh"
cd "$TOP"

# 1. Pristine tree.
if ! tgit rev-parse -q --verify refs/tags/base >/dev/null 2>&1; then
	[ -r "$KERNEL_TARBALL" ] || die "$KERNEL_TARBALL missing (run: make deps)"
	msg UNPACK "$KERNEL_TARBALL -> build/linux"
	rm -rf "$TREE" "$TREE.tmp" "$STAMPS/patches"
	mkdir -p "$TREE.tmp"
	tar -xJf "$KERNEL_TARBALL" -C "$TREE.tmp" --strip-components=1
	msg GIT "commit pristine base (takes a minute)"
	git -C "$TREE.tmp" init -q
	# The tarball's .gitignore files would hide e.g. generated-looking
	# sources; force-add everything so base is exactly the tarball.
	git -C "$TREE.tmp" add -A -f
	git -C "$TREE.tmp" -c user.name="Checkpoint Build" \
		-c user.email="checkpoint-build@localhost" \
		commit -q -m "Linux $(make -s -C "$TREE.tmp" kernelversion 2>/dev/null || echo 6.1) (pristine)"
	git -C "$TREE.tmp" tag base
	git -C "$TREE.tmp" checkout -q -b work
	mv "$TREE.tmp" "$TREE"
fi

# 2. Patch series.
shopt -s nullglob
patches=("$TOP"/patches/*.patch)
want=$(hash_files "${patches[@]}")
have=$(cat "$STAMPS/patches" 2>/dev/null || true)
if [ "$want" != "$have" ]; then
	if [ -n "$have" ] && [ -z "${FORCE:-}" ] &&
	   ! git -C "$TREE" diff --quiet HEAD --; then
		die "build/linux has uncommitted edits to kernel files; export them to patches/ or rerun with FORCE=1 to discard them"
	fi
	rm -f "$STAMPS/patches"
	[ -d "$TREE/.git/rebase-apply" ] && tgit am --abort >/dev/null 2>&1 || true
	tgit checkout -q -f -B work base
	if [ ${#patches[@]} -gt 0 ]; then
		msg GIT-AM "${#patches[@]} patch(es) from patches/"
		if ! tgit am -q "${patches[@]}"; then
			tgit am --abort >/dev/null 2>&1 || true
			tgit checkout -q -f -B work base
			die "patches/ does not apply to the pristine tree (see above)"
		fi
	fi
	echo "$want" > "$STAMPS/patches"
fi

# 3. New files, checksum mode; --delete only inside our own directories.
rs() { rsync -rc --executability --filter=':- .gitignore' "$@"; }
for d in $NEW_DIRS; do
	if [ -d "$TOP/$d" ]; then
		mkdir -p "$TREE/$d"
		rs --delete "$TOP/$d/" "$TREE/$d/"
	elif [ -d "$TREE/$d" ] && ! git -C "$TREE" ls-files --error-unmatch "$d" >/dev/null 2>&1; then
		rm -rf "${TREE:?}/$d"
	fi
done
for g in $NEW_FILE_GLOBS; do
	dir=$(dirname "$g")
	files=("$TOP"/$g)
	[ ${#files[@]} -gt 0 ] && rs "${files[@]}" "$TREE/$dir/"
	# Remove copies of files that were deleted from the repository.
	for f in "$TREE"/$g; do
		rel=${f#"$TREE"/}
		[ -e "$TOP/$rel" ] && continue
		git -C "$TREE" ls-files --error-unmatch "$rel" >/dev/null 2>&1 && continue
		rm -f "$f"
	done
done
exit 0
