#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Run every test binary under prove, keep the full TAP in build/test.log,
# show failures and prove's summary, and close with "N passed, N failed".
set -u
log=build/test.log
mkdir -p build
LANG=C LC_ALL=C TZ=UTC prove -j2 --merge -v "$@" >"$log" 2>&1
status=$?
grep -E '^(not ok|Bail out)' "$log" | sed 's/^/FAIL: /'
grep -E '^(# SKIP|ok .*# skip)' "$log" | sort -u | head -20
sed -n '/^Test Summary Report/,$p;/^All tests successful/,$p' "$log"
passed=$(grep -cE '^ok ' "$log")
failed=$(grep -cE '^not ok ' "$log")
echo "$passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
