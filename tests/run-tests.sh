#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Run every test binary under prove, keep the full TAP in build/test.log,
# show failures, the reasons tests were skipped (with counts) and prove's
# summary, and close with "N passed, N failed, N skipped" (a skipped test
# is not counted as passed).
set -u
log=build/test.log
mkdir -p build
LANG=C LC_ALL=C TZ=UTC prove -j2 --merge -v "$@" >"$log" 2>&1
status=$?
skip='^ok .*# [Ss][Kk][Ii][Pp]'
grep -E '^(not ok|Bail out)' "$log" | sed 's/^/FAIL: /'
if grep -qE "$skip" "$log"; then
	echo "skipped, by reason:"
	grep -E "$skip" "$log" | sed -E 's/.*# [Ss][Kk][Ii][Pp] *//' |
		sort | uniq -c | sort -k1,1nr -k2
fi
sed -n '/^Test Summary Report/,$p;/^All tests successful/,$p' "$log"
skipped=$(grep -cE "$skip" "$log")
passed=$(($(grep -cE '^ok ' "$log") - skipped))
failed=$(grep -cE '^not ok ' "$log")
echo "$passed passed, $failed failed, $skipped skipped"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
