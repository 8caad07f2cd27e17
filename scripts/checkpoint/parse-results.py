#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# parse-results.py OUTDIR - summarise a "make check" run (build/check).
#
# Inputs (written by check.sh and the guest's run-tests.sh):
#   console-1.log, console-2.log   serial consoles of the two boots
#   vm-1.rc, vm-2.rc               run-vm.sh exit status of each boot
#   results/KEY.tap, KEY.rc        output and exit status of each program
#   kmemleak.txt                   /sys/kernel/debug/kmemleak after scans
#
# Counts:
#   - KUnit cases printed by the kernel at boot (KTAP, "    ok N [- ]case"
#     inside "# Subtest: suite"; a suite that never finished is a failure);
#   - the top-level TAP results ("ok N name", "not ok N name", "# SKIP")
#     of every selftest program and cross-boot phase; a program that
#     timed out, or exited non-zero without any "not ok", or never
#     reported an exit status is one more failure; a program printing no
#     result at all counts as one result, by its exit status (4: skip);
#   - kernel splats (BUG:, WARNING:, Oops, KASAN:, lockdep, kmemleak,
#     panics, ...) in kernel lines of the consoles, kmemleak reports, and
#     VM hangs/crashes: each kind is one more failure, the offending
#     lines are printed.
# Prints the closing line "N passed, M failed"; exits 1 if M > 0 or if
# no test ran at all.

import os
import re
import sys

out = sys.argv[1]
passed = failed = skipped = 0
problems = []

# A kernel line (PRINTK_TIME); searched, not matched, because a line of
# user output without its newline may precede it on the console.
KLINE = re.compile(r'\[ *\d+\.\d{6}\] ?(.*)$')
# User-space faults the kernel merely reports (show_unhandled_signals).
NOT_SPLAT = re.compile(r'^traps: \S+\[\d+\] ')
SPLAT = re.compile(
    r'BUG:|WARNING:|\bOops\b|general protection fault|KASAN:|UBSAN:|'
    r'possible recursive locking|possible circular locking|'
    r'INFO: |unreferenced object|Kernel panic|Call Trace:|'
    r'kernel BUG at|list_add corruption|list_del corruption|'
    r'Unable to handle kernel|stack-protector|Kernel stack is corrupted|'
    r'refcount_t: |kmemleak: .*new suspected memory leak|'
    r'Attempted to kill init')
TAP = re.compile(r'^(not ok|ok)\b\s*(\d+)?\s*(?:-\s*)?([^#]*?)\s*(?:#\s*(.*))?$')


def read(path):
    try:
        with open(path, errors='replace') as f:
            return f.read().replace('\r', '')
    except OSError:
        return None


def result(kind, name, ok, directive, where):
    """Count one TAP result; return 'pass', 'fail' or 'skip'."""
    global passed, failed, skipped
    d = (directive or '').strip().upper()
    if d.startswith('SKIP') or (not ok and d.startswith('TODO')):
        skipped += 1
        return 'skip'
    if ok:
        passed += 1
        return 'pass'
    failed += 1
    print(f'FAIL: {where}: {name}')
    return 'fail'


# --- KUnit (kernel lines of the first boot) -------------------------------
def unfinished(suite, counts):
    global failed
    failed += 1
    counts['fail'] += 1
    print(f'FAIL: KUnit suite {suite} did not complete')


def kunit(log):
    counts = {'pass': 0, 'fail': 0, 'skip': 0}
    suite = None
    for line in log.splitlines():
        m = KLINE.search(line)
        if not m:
            continue
        msg = m.group(1)
        m = re.match(r'^    # Subtest: (\S+)', msg)
        if m:
            if suite:
                unfinished(suite, counts)
            suite = m.group(1)
            ncases = 0
            continue
        if suite is None:
            continue
        m = re.match(r'^    (not ok|ok) \d+ (?:- )?(.*?)(?:\s+#\s*(.*))?$', msg)
        if m:
            ncases += 1
            counts[result('kunit', f'{suite}.{m.group(2)}', m.group(1) == 'ok',
                          m.group(3), 'KUnit')] += 1
            continue
        m = re.match(r'^(not ok|ok) \d+ (?:- )?(\S+)(?:\s+#\s*(.*))?', msg)
        if m and m.group(2) == suite:
            if ncases == 0:     # a suite that failed or was skipped as a whole
                counts[result('kunit', suite, m.group(1) == 'ok', m.group(3)
                              or ('SKIP' if m.group(1) == 'ok' else ''),
                              'KUnit suite')] += 1
            suite = None
    if suite:
        unfinished(suite, counts)
    return counts


# --- programs (selftests, cross-boot phases) -------------------------------
def program(key):
    global passed, failed, skipped
    tap = read(os.path.join(out, 'results', key + '.tap')) or ''
    rcs = read(os.path.join(out, 'results', key + '.rc'))
    rc = int(rcs.strip()) if rcs and rcs.strip().lstrip('-').isdigit() else None
    c = {'pass': 0, 'fail': 0, 'skip': 0}
    plan = None
    for line in tap.splitlines():
        m = re.match(r'^1\.\.(\d+)', line)
        if m:
            plan = int(m.group(1))
            continue
        m = TAP.match(line)
        if m:
            c[result('tap', m.group(3) or f'#{m.group(2)}', m.group(1) == 'ok',
                     m.group(4), key)] += 1
    n = sum(c.values())
    note = ''
    if rc is None:
        failed += 1; c['fail'] += 1
        note = 'no exit status (the VM died or hung)'
    elif rc == 124 or rc == 137:
        failed += 1; c['fail'] += 1
        note = f'TIMED OUT (exit {rc})'
    elif n == 0:
        if rc == 4:
            skipped += 1; c['skip'] += 1
        elif rc == 0:
            passed += 1; c['pass'] += 1
        else:
            failed += 1; c['fail'] += 1
        note = f'no TAP results, exit {rc}'
    elif rc != 0 and rc != 4 and c['fail'] == 0:
        failed += 1; c['fail'] += 1
        note = f'exited {rc} without a "not ok"'
    elif plan is not None and n < plan and rc == 0:
        failed += plan - n; c['fail'] += plan - n
        note = f'only {n} of {plan} planned results'
    if note and c['fail']:
        print(f'FAIL: {key}: {note}')
    status = note or (f'exit {rc}' if rc is not None else 'no exit status')
    print(f'  {key}: {c["pass"]} passed, {c["fail"]} failed, '
          f'{c["skip"]} skipped ({status})')


# --- kernel splats -----------------------------------------------------------
def splats(log, name):
    """Report the kernel lines matching SPLAT, each with the next few
    kernel lines (the stack), in blocks; return the number of matches."""
    lines = [l for l in log.splitlines() if KLINE.search(l)]
    shown, nhits, last = [], 0, -1
    for i, line in enumerate(lines):
        msg = KLINE.search(line).group(1)
        if not SPLAT.search(msg) or NOT_SPLAT.search(msg):
            continue
        nhits += 1
        if i <= last:
            continue
        if shown:
            shown.append('    --')
        last = min(i + 12, len(lines) - 1)
        shown.extend('    ' + l for l in lines[i:last + 1])
    if nhits:
        problems.append(f'{nhits} kernel splat line(s) in {name}:')
        problems.extend(shown[:150])
        if len(shown) > 150:
            problems.append(f'    ... (more in {os.path.join(out, name)})')
    return nhits


results = os.path.join(out, 'results')
keys = sorted(k[:-3] for k in os.listdir(results) if k.endswith('.rc')) \
    if os.path.isdir(results) else []
keys += sorted(k[:-4] for k in os.listdir(results)
               if k.endswith('.tap') and k[:-4] not in keys) \
    if os.path.isdir(results) else []

print('==== results ====')
bad_kinds = 0
for boot in (1, 2):
    log = read(os.path.join(out, f'console-{boot}.log'))
    rcs = read(os.path.join(out, f'vm-{boot}.rc'))
    if log is None and rcs is None:
        continue
    if boot == 1 and log is not None:
        k = kunit(log)
        print(f'  KUnit: {k["pass"]} passed, {k["fail"]} failed, {k["skip"]} skipped')
    if log is not None and splats(log, f'console-{boot}.log'):
        bad_kinds += 1
    rc = int(rcs.strip()) if rcs and rcs.strip().lstrip('-').isdigit() else None
    if rc == 124:
        problems.append(f'boot {boot}: the VM hung (host-side timeout)')
        bad_kinds += 1
    elif rc != 0:
        problems.append(f'boot {boot}: the VM died or the guest runner failed '
                        f'(status {rc})')
        bad_kinds += 1
    elif log is not None and f'CKPT-CHECK: phase{boot} done' not in log:
        problems.append(f'boot {boot}: the guest runner did not finish')
        bad_kinds += 1

for key in keys:
    program(key)

leaks = read(os.path.join(out, 'kmemleak.txt'))
if leaks and 'unreferenced object' in leaks:
    n = leaks.count('unreferenced object')
    problems.append(f'kmemleak: {n} unreferenced object(s):')
    problems.extend('    ' + l for l in leaks.splitlines()[:80])
    bad_kinds += 1

for p in problems:
    print(('FAIL: ' if not p.startswith('    ') else '') + p)
failed += bad_kinds
if skipped:
    print(f'{skipped} skipped')
ran = passed + failed - bad_kinds
if ran == 0:
    print('FAIL: no test ran')
print(f'{passed} passed, {failed} failed')
sys.exit(1 if failed or ran == 0 else 0)
