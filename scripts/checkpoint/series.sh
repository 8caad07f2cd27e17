#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# series.sh export|check - the whole work as a git format-patch series.
#
# export: on a scratch branch "series" of build/linux, from "base",
#   commit patches/*.patch and the repository's new files group by group,
#   in the order and with the messages of series.txt (committed through
#   a temporary index: the tree's working files are not touched); check
#   that the result is the whole work ("work" branch = base + patches,
#   plus every new file), then write build/series/ (cover letter +
#   patches).  Verifies that the
#   series applies to "base" and gives the same tree, and runs
#   scripts/checkpatch.pl --strict on every patch (reports, does not
#   fail; CHECKPATCH_FATAL=1 makes errors fatal).
# check: git am the series patch by patch on a fresh worktree of "base"
#   (build/series-check/linux) and build the fast kernel after each patch
#   (incrementally, in build/series-check/fast).

. "$(dirname "$0")/lib.sh"
cd "$TOP"

SERIES=$BUILD/series
TXT=$TOP/scripts/checkpoint/series.txt

who_name=$(git -C "$TOP" config user.name 2>/dev/null || echo "Checkpoint Build")
who_mail=$(git -C "$TOP" config user.email 2>/dev/null || echo "checkpoint-build@localhost")
export GIT_AUTHOR_NAME="$who_name" GIT_AUTHOR_EMAIL="$who_mail"
export GIT_COMMITTER_NAME="$who_name" GIT_COMMITTER_EMAIL="$who_mail"
G() { git --git-dir="$TREE/.git" "$@"; }

# section KEY - the message block of series.txt that starts with "== KEY".
section() {
	awk -v key="$1" '
		/^#/ { next }
		/^== / { on = (substr($0, 4) == key); next }
		on { print }' "$TXT" | sed -e '/./,$!d' | sed -e ':a' -e '/^\n*$/{$d;N;ba' -e '}'
}
entries() { sed -n 's/^== //p' "$TXT" | grep -v '^cover$'; }

# expand WORDS - the existing paths the globs of a group name.
expand() {
	local p n
	shopt -s nullglob
	for p in $1; do
		for n in $p; do [ -e "$n" ] && printf '%s\n' "$n"; done
	done
	shopt -u nullglob
}

# commit_patch FILE PARENT - commit a format-patch file (its message and
# author) on PARENT through the temporary index; prints the commit.
commit_patch() {
	local f=$1 parent=$2 tmpd tree
	tmpd=$(mktemp -d "$BUILD/series-mail.XXXXXX")
	G mailinfo "$tmpd/msg" "$tmpd/patch" < "$f" > "$tmpd/info"
	G apply --cached "$tmpd/patch" || die "${f##*/} does not apply"
	tree=$(G write-tree)
	(
		GIT_AUTHOR_NAME=$(sed -n 's/^Author: //p' "$tmpd/info")
		GIT_AUTHOR_EMAIL=$(sed -n 's/^Email: //p' "$tmpd/info")
		GIT_AUTHOR_DATE=$(sed -n 's/^Date: //p' "$tmpd/info")
		export GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_AUTHOR_DATE
		{ sed -n 's/^Subject: //p' "$tmpd/info"; echo; cat "$tmpd/msg"; } |
			G commit-tree "$tree" -p "$parent"
	)
	rm -rf "$tmpd"
}

do_export() {
	tgit rev-parse -q --verify refs/heads/work >/dev/null || die "build/linux not prepared"
	rm -rf "$SERIES"
	mkdir -p "$SERIES"
	shopt -s nullglob
	local all=("$TOP"/patches/*.patch)
	shopt -u nullglob
	# Patches placed explicitly by "== patch GLOB" entries.
	local -A placed=()
	local e f g
	while IFS= read -r e; do
		case $e in
		"patch "*)
			for f in "${all[@]}"; do
				# shellcheck disable=SC2254
				case ${f##*/} in ${e#patch }) placed[$f]=1 ;; esac
			done ;;
		esac
	done < <(entries)

	export GIT_INDEX_FILE=$BUILD/series.index
	rm -f "$GIT_INDEX_FILE"
	G read-tree base
	prev=$(G rev-parse base)
	local -A done_=()
	local paths msg todo
	while IFS= read -r e; do
		todo=()
		case $e in
		patches)
			for f in "${all[@]}"; do
				[ -n "${placed[$f]:-}" ] || [ -n "${done_[$f]:-}" ] || todo+=("$f")
			done ;;
		"patch "*)
			for f in "${all[@]}"; do
				# shellcheck disable=SC2254
				case ${f##*/} in ${e#patch }) [ -n "${done_[$f]:-}" ] || todo+=("$f") ;; esac
			done ;;
		esac
		if [ "$e" = patches ] || [ "${e#patch }" != "$e" ]; then
			for f in "${todo[@]}"; do
				prev=$(commit_patch "$f" "$prev")
				done_[$f]=1
			done
			continue
		fi
		mapfile -t paths < <(expand "$e")
		[ ${#paths[@]} -gt 0 ] || continue
		G --work-tree="$TOP" add -- "${paths[@]}"
		tree=$(G write-tree)
		[ "$tree" = "$(G rev-parse "$prev^{tree}")" ] && continue
		msg=$(section "$e")
		[ -n "$msg" ] || die "series.txt: no message for '$e'"
		grep -q '^Signed-off-by:' <<<"$msg" ||
			msg=$(printf '%s\n\nSigned-off-by: %s <%s>' "$msg" "$who_name" "$who_mail")
		prev=$(G commit-tree "$tree" -p "$prev" <<<"$msg")
	done < <(entries)
	# Patches that series.txt does not place go last.
	for f in "${all[@]}"; do
		[ -n "${done_[$f]:-}" ] && continue
		echo "warning: series.txt does not place ${f##*/}: appended" >&2
		prev=$(commit_patch "$f" "$prev")
	done

	# The whole work: "work" (base + patches) + every new file.
	G read-tree work
	local d
	for d in $NEW_DIRS $NEW_FILE_GLOBS; do
		mapfile -t paths < <(expand "$d")
		[ ${#paths[@]} -gt 0 ] && G --work-tree="$TOP" add -- "${paths[@]}"
	done
	if [ "$(G write-tree)" != "$(G rev-parse "$prev^{tree}")" ]; then
		echo "error: the series misses part of the work (a group missing in series.txt?):" >&2
		G diff --stat "$prev" "$(G write-tree)" >&2
		exit 1
	fi
	unset GIT_INDEX_FILE
	rm -f "$BUILD/series.index"
	G update-ref refs/heads/series "$prev"
	G format-patch -q --cover-letter --thread -o "$SERIES" base..series
	# Fill in the cover letter.
	local cover=("$SERIES"/0000-cover-letter.patch) subj body
	subj=$(section cover | head -n1)
	body=$(section cover | tail -n +3)
	python3 - "$cover" "$subj" "$body" <<'PY'
import sys
p, subj, body = sys.argv[1:]
s = open(p).read()
s = s.replace('*** SUBJECT HERE ***', subj).replace('*** BLURB HERE ***', body)
open(p, 'w').write(s)
PY
	n=$(ls "$SERIES"/*.patch | wc -l)
	msg SERIES "build/series: $((n - 1)) patches + cover letter"

	# Does it apply to base and give the same tree?
	export GIT_INDEX_FILE=$BUILD/series.index
	G read-tree base
	local f
	for f in "$SERIES"/[0-9]*.patch; do
		[ "${f##*/}" = 0000-cover-letter.patch ] && continue
		G apply --cached "$f" || die "${f##*/} does not apply"
	done
	[ "$(G write-tree)" = "$(G rev-parse 'series^{tree}')" ] ||
		die "the series applied to base differs from the work"
	unset GIT_INDEX_FILE
	rm -f "$BUILD/series.index"
	msg OK "the series applies to base"

	# checkpatch.
	local errs=0 out e w c
	for f in "$SERIES"/[0-9]*.patch; do
		[ "${f##*/}" = 0000-cover-letter.patch ] && continue
		out=$(cd "$TREE" && perl scripts/checkpatch.pl --strict --no-color --terse \
			--show-types "$f" 2>&1 || true)
		e=$(grep -c ': ERROR:' <<<"$out" || true)
		w=$(grep -c ': WARNING:' <<<"$out" || true)
		c=$(grep -c ': CHECK:' <<<"$out" || true)
		printf '  %-60s %3d errors %3d warnings %3d checks\n' "${f##*/}" "$e" "$w" "$c"
		grep ': ERROR:' <<<"$out" | sed -e "s|^$SERIES/||" -e 's/^/      /' || true
		errs=$((errs + e))
	done
	if [ $errs -gt 0 ]; then
		echo "checkpatch: $errs error(s) (details: cd build/linux && scripts/checkpatch.pl --strict ../series/NNNN-*.patch)"
		[ -n "${CHECKPATCH_FATAL:-}" ] && exit 1
	fi
	return 0
}

do_check() {
	local dir=$BUILD/series-check src out f i=0 total
	src=$dir/linux out=$dir/fast
	[ -d "$SERIES" ] || die "run make series first"
	if [ -d "$src" ]; then
		git -C "$src" am --abort >/dev/null 2>&1 || true
		git -C "$src" checkout -q -f --detach base
	else
		mkdir -p "$dir"
		G worktree prune
		msg WORKTREE "build/series-check/linux (fresh worktree of base)"
		tgit worktree add -q --detach "$src" base
	fi
	git -C "$src" clean -q -fdx
	mkdir -p "$out"
	total=$(ls "$SERIES"/[0-9]*.patch | grep -vc 0000-cover-letter)
	local Q=$TOP/$SELFTEST_DIR
	for f in "$SERIES"/[0-9]*.patch; do
		[ "${f##*/}" = 0000-cover-letter.patch ] && continue
		i=$((i + 1))
		msg PATCH "[$i/$total] ${f##*/}"
		tgit -C "$src" am -q "$f" || die "${f##*/} does not apply"
		# Same recipe as kconfig.sh, without the verification (early
		# patches do not have CONFIG_CHECKPOINT yet).
		local tmp=$dir/kconfig
		mkdir -p "$tmp"
		TREE=$src kconfig_make "$tmp" -s tinyconfig >/dev/null
		"$src/scripts/kconfig/merge_config.sh" -m -O "$tmp" "$tmp/.config" \
			"$Q/config" "$Q/qemu/kernel.config" >/dev/null 2>&1
		TREE=$src kconfig_make "$tmp" -s olddefconfig >/dev/null
		cmp -s "$tmp/.config" "$out/.config" || cp "$tmp/.config" "$out/.config"
		if ! TREE=$src kmake "$out" -s bzImage; then
			die "the fast kernel does not build at ${f##*/}"
		fi
	done
	msg OK "the fast kernel builds at each of the $total patches"
}

case ${1:-} in
export) do_export ;;
check) do_check ;;
*) die "usage: series.sh export|check" ;;
esac
