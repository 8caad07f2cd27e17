#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# init.sh - PID 1 of the checkpoint/restart test VM.
#
# The guest boots the host's root file system read-only over 9p with
# init=<this script>.  The host shares a per-run directory read-write
# under the 9p tag "ckpt_run"; we mount it on /run/ckpt-vm.  It holds:
#   env     - sourced: CKPT_TOP (the checkout; shown again if our tmpfs
#             on /tmp or /run hid it), CKPT_CWD (working directory of
#             the command),
#             CKPT_PATH (directories prepended to PATH), CKPT_RWDIR
#             (optional; shared read-write under the tag "ckpt_rw" and
#             mounted at the same path), CKPT_TOOLS and CKPT_SELFTESTS
#             (the directories of the built tools and selftests,
#             exported to the command, as CKPT_TOP is)
#   cmd     - the command, run as root by /bin/sh
# and receives:
#   status  - the exit status of the command
# The console (ttyS0) carries the command's output, and the last line the
# guest prints is "CKPT-VM-STATUS: exit=N".  The VM then reboots, which
# ends QEMU (-no-reboot).

PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH
umask 022

# vm_off - end the VM: QEMU runs with -no-reboot, so a reboot ends it.
vm_off() {
	cd /
	sync
	echo b > /proc/sysrq-trigger 2>/dev/null
	reboot -f
	# If even that failed, PID 1 exiting panics and panic=-1 reboots.
	exit 1
}

fatal() {
	echo "CKPT-VM-STATUS: exit=125 ($*)"
	vm_off
}

# The host's /proc, /sys, /dev... are visible through the 9p root (as
# other devices): never trust mountpoint(1) before our own /proc is up.
mount -t proc proc /proc || echo "init: cannot mount /proc"

# (Shell builtins where possible: every exec over 9p under TCG is slow.)
mnt() { # mnt TYPE SOURCE TARGET [OPTIONS]
	while read -r _ m t _; do
		[ "$m" = "$3" ] && [ "$t" = "$1" ] && return 0
	done < /proc/mounts
	[ -d "$3" ] || mkdir -p "$3"
	mount -t "$1" ${4:+-o "$4"} "$2" "$3" || echo "init: cannot mount $1 on $3"
}

mnt sysfs sysfs /sys
mnt devtmpfs devtmpfs /dev
mnt devpts devpts /dev/pts mode=620,ptmxmode=666,gid=5
mnt tmpfs tmpfs /dev/shm mode=1777
# The tmpfs on /tmp and /run hide the host's: keep a view of the host's
# root to show the paths we need again (a checkout under /tmp...).
host=/dev/.host-root
mkdir -p "$host" && mount --bind / "$host"
mnt tmpfs tmpfs /tmp mode=1777
mnt tmpfs tmpfs /run mode=755
mnt debugfs debugfs /sys/kernel/debug
mnt cgroup2 cgroup2 /sys/fs/cgroup
[ -e /dev/ptmx ] || ln -sf pts/ptmx /dev/ptmx
echo ckpt-vm > /proc/sys/kernel/hostname
ip link set lo up 2>/dev/null || echo "init: cannot bring up lo"

run=/run/ckpt-vm
mkdir -p "$run"
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,cache=none ckpt_run "$run" ||
	fatal "cannot mount the run directory"
[ -r "$run/env" ] && . "$run/env"
[ -r "$run/cmd" ] || fatal "no command"

# expose DIR - make the host's DIR visible at DIR if a mount hid it.
expose() {
	[ -n "$1" ] && [ ! -d "$1" ] && [ -d "$host$1" ] || return 0
	mkdir -p "$1" && mount --bind "$host$1" "$1" || echo "init: cannot show $1"
}
expose "${CKPT_TOP:-}"
expose "${CKPT_CWD:-}"
umount -l "$host" && rmdir "$host"

if [ -n "${CKPT_RWDIR:-}" ]; then
	[ -d "$CKPT_RWDIR" ] || mkdir -p "$CKPT_RWDIR"
	mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,cache=none ckpt_rw "$CKPT_RWDIR" ||
		fatal "cannot mount $CKPT_RWDIR"
fi
[ -n "${CKPT_PATH:-}" ] && PATH=$CKPT_PATH:$PATH
HOME=/root TERM=dumb
export PATH HOME TERM CKPT_TOP CKPT_TOOLS CKPT_SELFTESTS

cd "${CKPT_CWD:-/}" || cd /
/bin/sh "$run/cmd" </dev/null
rc=$?
echo "$rc" > "$run/status"
echo "CKPT-VM-STATUS: exit=$rc"
vm_off
