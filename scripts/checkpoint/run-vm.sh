#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run-vm.sh [options] CMD - run CMD as root in a QEMU guest.
#
# The guest boots build/{fast,debug}/arch/x86/boot/bzImage with the
# host's root shared read-only over 9p and
# tools/testing/selftests/checkpoint/qemu/init.sh as init (see there for
# the protocol).  Software emulation (TCG), 2 vCPUs, 2 GiB.  The serial
# console is passed through to stdout (and saved to the --log file); the
# exit status is CMD's, or 124 when the host-side timeout expired, or
# 125 when the guest died before reporting a status.
#
# Options:
#   --debug         boot the debug kernel (default: the fast one)
#   --rwdir DIR     share DIR read-write, mounted at the same path
#   --timeout SECS  host-side timeout (default 600, 2400 with --debug)
#   --log FILE      also write the console to FILE
#   --loglevel N    kernel console loglevel (default 5: warnings and worse)
#   --append ARGS   extra kernel command line arguments
# Environment: VM_CPUS (2), VM_MEM (2G), QEMU (qemu-system-x86_64).

. "$(dirname "$0")/lib.sh"

kernel=fast timeout= rwdir= log= loglevel=5 append=
while [ $# -gt 0 ]; do
	case $1 in
	--debug) kernel=debug ;;
	--rwdir) rwdir=$2; shift ;;
	--timeout) timeout=$2; shift ;;
	--log) log=$2; shift ;;
	--loglevel) loglevel=$2; shift ;;
	--append) append=$2; shift ;;
	--) shift; break ;;
	-*) die "run-vm.sh: unknown option $1" ;;
	*) break ;;
	esac
	shift
done
[ $# -gt 0 ] || die "usage: run-vm.sh [options] CMD"
cmd=$*
[ -n "$timeout" ] || { [ $kernel = debug ] && timeout=2400 || timeout=600; }
# Software emulation of a KASAN+lockdep kernel is slow enough to trip
# the RCU stall detector (21 s by default) without any real stall.
[ $kernel = debug ] && append="rcupdate.rcu_cpu_stall_timeout=300 $append"

img=$BUILD/$kernel/arch/x86/boot/bzImage
[ -f "$img" ] || die "$img missing (build it first)"
init=$TOP/$QEMU_DIR/init.sh
[ -x "$init" ] || die "$init missing or not executable"

mkdir -p "$BUILD/vm"
run=$(mktemp -d "$BUILD/vm/run.XXXXXX")
trap 'rm -rf "$run"' EXIT
printf '%s\n' "$cmd" > "$run/cmd"
{
	printf 'CKPT_TOP=%q\n' "$TOP"
	printf 'CKPT_CWD=%q\n' "$(pwd)"
	printf 'CKPT_PATH=%q\n' "$BUILD/tools:$BUILD/selftests"
	printf 'CKPT_TOOLS=%q\n' "$BUILD/tools"
	printf 'CKPT_SELFTESTS=%q\n' "$BUILD/selftests"
	if [ -n "$rwdir" ]; then
		mkdir -p "$rwdir"
		rwdir=$(cd "$rwdir" && pwd)
		printf 'CKPT_RWDIR=%q\n' "$rwdir"
	fi
} > "$run/env"
[ -n "$log" ] && { mkdir -p "$(dirname "$log")"; : > "$log"; }

# root=/dev/root: without CONFIG_BLOCK the kernel mounts the file system
# type(s) of rootfstype= with the source "root" (the name without /dev/):
# that is the 9p mount tag of the host's root.
args=(
	-nodefaults -display none -no-reboot -machine q35
	-accel tcg -cpu max -smp "${VM_CPUS:-2}" -m "${VM_MEM:-2G}"
	-kernel "$img"
	-append "root=/dev/root rootfstype=9p rootflags=trans=virtio,version=9p2000.L,msize=262144,cache=loose ro init=$init console=ttyS0 panic=-1 loglevel=$loglevel $append"
	-fsdev local,id=root,path=/,security_model=none,readonly=on,multidevs=remap
	-device virtio-9p-pci,fsdev=root,mount_tag=root
	-fsdev local,id=run,path="$run",security_model=none
	-device virtio-9p-pci,fsdev=run,mount_tag=ckpt_run
	-chardev stdio,id=con,signal=on${log:+,logfile=$log}
	-serial chardev:con
)
if [ -n "$rwdir" ]; then
	args+=(-fsdev local,id=rw,path="$rwdir",security_model=none
	       -device virtio-9p-pci,fsdev=rw,mount_tag=ckpt_rw)
fi

rc=0
timeout -k 10 "$timeout" "${QEMU:-qemu-system-x86_64}" "${args[@]}" </dev/null || rc=$?
if [ -s "$run/status" ]; then
	exit "$(cat "$run/status")"
elif [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
	echo "run-vm: TIMEOUT: the guest did not finish within $timeout s" >&2
	exit 124
else
	echo "run-vm: the guest died without reporting a status (qemu exit $rc)" >&2
	exit 125
fi
