#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kconfig.sh NAME FRAGMENT... - (re)generate build/NAME/.config.
#
# tinyconfig + the fragments (merge_config.sh -m) + olddefconfig, done in
# a scratch output directory; build/NAME/.config is replaced only when
# the result differs, so an unchanged config never triggers a rebuild.
# Regenerated only when the fragments, the patches or our Kconfig files
# change (stamp in build/stamps/config-NAME).
#
# Then verifies that every option requested by a fragment has the
# requested value in the final .config (merge_config.sh silently drops
# options whose dependencies are not met).  CONFIG_CHECKPOINT and
# CONFIG_CHECKPOINT_KUNIT_TEST are skipped while no Kconfig file that the
# kernel's Kconfig reads (sources) defines them.

. "$(dirname "$0")/lib.sh"
cd "$TOP"

name=$1; shift
out=$BUILD/$name
frags=("$@")
for f in "${frags[@]}"; do [ -r "$f" ] || die "missing config fragment $f"; done

kconfigs=$(find $(for d in $NEW_DIRS; do [ -d "$TREE/$d" ] && echo "$TREE/$d"; done) \
	-name 'Kconfig*' 2>/dev/null | sort)
want=$( { hash_files "${frags[@]}"; cat "$STAMPS/patches"; hash_files $kconfigs; } | sha256sum | cut -d' ' -f1)
if [ "$want" = "$(cat "$STAMPS/config-$name" 2>/dev/null)" ] && [ -f "$out/.config" ]; then
	exit 0
fi
rm -f "$STAMPS/config-$name"

msg KCONFIG "build/$name/.config"
tmp=$BUILD/kconfig-tmp/$name
mkdir -p "$tmp" "$out"
kconfig_make "$tmp" -s tinyconfig >/dev/null
"$TREE/scripts/kconfig/merge_config.sh" -m -O "$tmp" "$tmp/.config" "${frags[@]}" \
	> "$tmp/merge.log" 2>&1 || { cat "$tmp/merge.log"; die "merge_config.sh failed"; }
kconfig_make "$tmp" -s olddefconfig >/dev/null

# Verify.
bad=0
while IFS= read -r line; do
	case $line in
	CONFIG_*=*)
		sym=${line%%=*}; val=${line#*=}
		have=$(grep -E "^($sym=|# $sym is not set)" "$tmp/.config" || true)
		[ "$have" = "$line" ] && continue
		[ "$val" = n ] && [ "$have" = "# $sym is not set" -o -z "$have" ] && continue
		;;
	"# CONFIG_"*" is not set")
		sym=${line#\# }; sym=${sym%% *}
		grep -q "^$sym=" "$tmp/.config" || continue
		have=$(grep "^$sym=" "$tmp/.config")
		;;
	*) continue ;;
	esac
	case $sym in
	CONFIG_CHECKPOINT|CONFIG_CHECKPOINT_KUNIT_TEST)
		if ! kconfig_defines "${sym#CONFIG_}"; then
			msg SKIP "$sym (no Kconfig file read by the kernel defines it yet)"
			continue
		fi ;;
	esac
	echo "error: wanted '$line', got '${have:-<absent>}'" >&2
	bad=1
done < <(cat "${frags[@]}")
if [ $bad -ne 0 ]; then
	echo "error: build/$name/.config does not have the requested options (dependencies not met?)" >&2
	exit 1
fi

if ! cmp -s "$tmp/.config" "$out/.config"; then
	cp "$tmp/.config" "$out/.config"
fi
echo "$want" > "$STAMPS/config-$name"
