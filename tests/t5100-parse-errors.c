// SPDX-License-Identifier: GPL-2.0-only
/*
 * Scenario parser errors: each bad input gives exactly one line
 * "file:line:column: expected ...", with the column on the offending word
 * (or byte), and no crash or leak on hostile input: NUL bytes, invalid
 * UTF-8, numbers that overflow, very long lines, tiny error buffers.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/tap.h"
#include "scenario/scenario.h"

#define H "spawn A\nA mmap R 2M\n"	/* line 1-2: A maps R (512 pages) */

struct bad_case {
	const char *text;
	size_t len;			/* 0: strlen(text) */
	const char *want;		/* prefix of the message */
};

static const struct bad_case cases[] = {
	/* lexical */
	{ "spawn A\nA mmap R x\n", 0,
	  "t.fsim:2:10: expected a size such as 2M, got 'x'" },
	{ "spawn A\nA mmap R 2m\n", 0,
	  "t.fsim:2:10: expected a size such as 2M, got '2m'" },
	{ "spawn A\nA mmap R 0x\n", 0,
	  "t.fsim:2:10: expected a size such as 2M, got '0x'" },
	{ "spawn A\nA mmap R 18446744073709551616\n", 0,
	  "t.fsim:2:10: expected a size such as 2M, got '18446744073709551616' (too large)" },
	{ "spawn A\nA mmap R 0x10000000000000000\n", 0,
	  "t.fsim:2:10: expected a size such as 2M, got '0x10000000000000000' (too large)" },
	{ "spawn A\nA mmap R 17179869184G\n", 0,
	  "t.fsim:2:10: expected a size such as 2M, got '17179869184G' (too large)" },
	{ "spawn A\0B\n", 9,
	  "t.fsim:1:8: expected printable ASCII, got byte 0x00" },
	{ "spawn \xc3\xa9\n", 0,
	  "t.fsim:1:7: expected printable ASCII, got byte 0xc3" },
	{ "spawn A\n\xff\n", 0,
	  "t.fsim:2:1: expected printable ASCII, got byte 0xff" },
	{ "spawn A\x0b\n", 0,
	  "t.fsim:1:8: expected printable ASCII, got byte 0x0b" },
	/* statements and names */
	{ "hello\n", 0,
	  "t.fsim:1:1: expected a statement such as 'spawn P' or 'P mmap R 2M', got 'hello'" },
	{ "A mmap R 2M\n", 0,
	  "t.fsim:1:1: expected a process created by spawn or fork, got 'A'" },
	{ "spawn\n", 0,
	  "t.fsim:1:6: expected a process name, got end of line" },
	{ "spawn 1A\n", 0, "t.fsim:1:7: expected a process name, got '1A'" },
	{ "spawn show\n", 0,
	  "t.fsim:1:7: expected a process name, got keyword 'show'" },
	{ "spawn A\nspawn A\n", 0,
	  "t.fsim:2:7: expected a new process name, 'A' is taken" },
	{ "spawn A\nA fork A\n", 0,
	  "t.fsim:2:8: expected a new process name, 'A' is taken" },
	{ "spawn A extra\n", 0,
	  "t.fsim:1:9: expected end of line, got 'extra'" },
	{ "spawn A\nA exit\nA exit\n", 0,
	  "t.fsim:3:1: expected a live process, 'A' has exited" },
	{ H "A frob R\n", 0,
	  "t.fsim:3:3: expected one of fork, exit, mmap, munmap, mremap, mprotect, madvise, read, write, got 'frob'" },
	{ "spawn A\nA\n", 0,
	  "t.fsim:2:2: expected an operation such as mmap, got end of line" },
	/* mmap and placement */
	{ "spawn A\nA mmap R\n", 0,
	  "t.fsim:2:9: expected a size such as 2M, got end of line" },
	{ "spawn A\nA mmap 2M 2M\n", 0,
	  "t.fsim:2:8: expected a region name, got '2M'" },
	{ "spawn A\nA mmap R 5000\n", 0,
	  "t.fsim:2:10: expected a size that is a positive multiple of 4K, got '5000'" },
	{ "spawn A\nA mmap R 0\n", 0,
	  "t.fsim:2:10: expected a size that is a positive multiple of 4K, got '0'" },
	{ H "spawn B\nB mmap R 4M\n", 0,
	  "t.fsim:4:10: expected size 2M of region 'R', got 4M" },
	{ H "spawn B\nB mmap R 2M at 0x80000000\n", 0,
	  "t.fsim:4:16: expected address 0x40000000 of region 'R', got 0x80000000" },
	{ "spawn A\nA mmap R 2M at 0x1001\n", 0,
	  "t.fsim:2:16: expected a page-aligned address from 0x10000" },
	{ "spawn A\nA mmap R 2M at 0x1000\n", 0,
	  "t.fsim:2:16: expected a page-aligned address from 0x10000" },
	{ "spawn A\nA mmap R 2M at 0x7fffffe00001000\n", 0,
	  "t.fsim:2:16: expected a page-aligned address from 0x10000" },
	{ "spawn A\nA mmap R 2M at\n", 0,
	  "t.fsim:2:15: expected an address such as 0x40000000 or R+2M, got end of line" },
	{ "spawn A\nA mmap R 2M at R+0\n", 0,
	  "t.fsim:2:16: expected a region created by mmap or mremap, got 'R'" },
	{ H "A mmap S 2M at R*2M\n", 0,
	  "t.fsim:3:17: expected '+' or '-' after the region name in 'R*2M'" },
	{ H "A mmap S 2M at R+2Q\n", 0,
	  "t.fsim:3:18: expected an offset such as 2M below 0x800000000000, got 'R+2Q'" },
	{ H "A mmap S 2M at R-2G\n", 0,
	  "t.fsim:3:16: expected a page-aligned address from 0x10000" },
	{ H "A mmap S 2M at @\n", 0,
	  "t.fsim:3:16: expected an address such as 0x40000000 or R+2M, got '@'" },
	{ H "A mmap S 2M here\n", 0,
	  "t.fsim:3:13: expected end of line, got 'here'" },
	{ "spawn A\nA mmap R 65536G\nA mmap S 65536G\n", 0,
	  "t.fsim:3:10: expected a region that fits below 0x800000000000" },
	/* ranges */
	{ H "A read\n", 0,
	  "t.fsim:3:7: expected a range such as R or R[0:8], got end of line" },
	{ H "A read [1]\n", 0,
	  "t.fsim:3:8: expected a range such as R or R[0:8], got '[1]'" },
	{ H "A read Q\n", 0,
	  "t.fsim:3:8: expected a region created by mmap or mremap, got 'Q'" },
	{ H "A read R(1)\n", 0,
	  "t.fsim:3:9: expected '[' or a blank after the region name in 'R(1)'" },
	{ H "A read R[512]\n", 0,
	  "t.fsim:3:10: expected a page index below 512 in 'R[512]'" },
	{ H "A read R[0:513]\n", 0,
	  "t.fsim:3:12: expected an end page of at most 512 in 'R[0:513]'" },
	{ H "A read R[9:9]\n", 0,
	  "t.fsim:3:12: expected an end page above 9 in 'R[9:9]'" },
	{ H "A read R[9:3]\n", 0,
	  "t.fsim:3:12: expected an end page above 9 in 'R[9:3]'" },
	{ H "A read R[:0]\n", 0,
	  "t.fsim:3:11: expected an end page above 0 in 'R[:0]'" },
	{ H "A read R[512:]\n", 0,
	  "t.fsim:3:10: expected a page index below 512 in 'R[512:]'" },
	{ H "A read R[x]\n", 0,
	  "t.fsim:3:10: expected a page index, got 'R[x]'" },
	{ H "A read R[1\n", 0,
	  "t.fsim:3:11: expected ']' to end the range 'R[1'" },
	{ H "A read R[1:2\n", 0,
	  "t.fsim:3:13: expected ']' to end the range 'R[1:2'" },
	{ H "A read R[1]x\n", 0,
	  "t.fsim:3:12: expected a blank after the range 'R[1]x'" },
	{ H "A read R[99999999999999999999]\n", 0,
	  "t.fsim:3:10: expected a page index, got 'R[99999999999999999999]' (too large)" },
	{ H "spawn B\nB read R\n", 0,
	  "t.fsim:4:8: expected a region that 'B' maps, got 'R'" },
	{ H "A munmap R\nA read R[0]\n", 0,
	  "t.fsim:4:8: expected a region that 'A' maps, got 'R'" },
	{ H "A mremap R S\nA write R\n", 0,
	  "t.fsim:4:9: expected a region that 'A' maps, got 'R'" },
	{ H "A madvise R dontfork\nA fork B\nB read R\n", 0,
	  "t.fsim:5:8: expected a region that 'B' maps, got 'R'" },
	/* mremap */
	{ H "A mremap R\n", 0,
	  "t.fsim:3:11: expected a name for the moved region, got end of line" },
	{ H "A mremap R R\n", 0,
	  "t.fsim:3:12: expected a region name other than 'R'" },
	{ H "A mremap R S 3K\n", 0,
	  "t.fsim:3:14: expected a size that is a positive multiple of 4K, got '3K'" },
	{ H "A mmap S 4M\nA mremap R S\n", 0,
	  "t.fsim:4:12: expected size 4M of region 'S', got 2M" },
	{ H "A mremap R S at 0x0\n", 0,
	  "t.fsim:3:17: expected a page-aligned address from 0x10000" },
	/* other verbs */
	{ H "A mprotect R rx\n", 0,
	  "t.fsim:3:14: expected ro or rw, got 'rx'" },
	{ H "A madvise R huge\n", 0,
	  "t.fsim:3:13: expected one of hugepage, nohugepage, dontneed, collapse, pageout, mergeable, unmergeable, dontfork, dofork, cold, got 'huge'" },
	{ H "A write R ones\n", 0,
	  "t.fsim:3:11: expected zero, value N or end of line, got 'ones'" },
	{ H "A write R value\n", 0,
	  "t.fsim:3:16: expected a 64-bit value, got end of line" },
	{ H "A write R value 0x1ffffffffffffffff\n", 0,
	  "t.fsim:3:17: expected a 64-bit value, got '0x1ffffffffffffffff' (too large)" },
	{ H "A write R zero 1\n", 0,
	  "t.fsim:3:16: expected end of line, got '1'" },
	{ "khugepaged 0\n", 0,
	  "t.fsim:1:12: expected a number of full scans from 1 to 1000000, got '0'" },
	{ "ksm 1000001\n", 0,
	  "t.fsim:1:5: expected a number of full scans from 1 to 1000000, got '1000001'" },
	{ "ksm many\n", 0,
	  "t.fsim:1:5: expected a number of full scans, got 'many'" },
	{ "shrink now\n", 0, "t.fsim:1:8: expected end of line, got 'now'" },
	{ H "show A\n", 0,
	  "t.fsim:3:7: expected a region name, got end of line" },
	{ H "show A R[0]\n", 0,
	  "t.fsim:3:8: expected a region name, got 'R[0]'" },
	/* set */
	{ "set\n", 0,
	  "t.fsim:1:4: expected a setting path such as enabled, got end of line" },
	{ "set enabled\n", 0,
	  "t.fsim:1:12: expected a value for the setting, got end of line" },
	{ "set enable always\n", 0,
	  "t.fsim:1:5: expected a setting such as enabled or khugepaged/max_ptes_none, got 'enable'" },
	{ "set enabled sometimes\n", 0,
	  "t.fsim:1:13: expected one of never, always, madvise, got 'sometimes'" },
	{ "set khugepaged/max_ptes_none 512\n", 0,
	  "t.fsim:1:30: expected an integer from 0 to 511, got '512'" },
	{ "set hugepages-3kB/enabled always\n", 0,
	  "t.fsim:1:5: expected a setting such as enabled" },
	{ "set enabled always now\n", 0,
	  "t.fsim:1:20: expected end of line, got 'now'" },
	/* expect */
	{ "expect\n", 0,
	  "t.fsim:1:7: expected a process name, vmstat or collapse, got end of line" },
	{ H "expect A R\n", 0,
	  "t.fsim:3:11: expected what to expect such as thp, got end of line" },
	{ H "expect A R huge 1\n", 0,
	  "t.fsim:3:12: expected one of thp, present, swapped, shared, rss, got 'huge'" },
	{ H "expect A R thp == 1\n", 0,
	  "t.fsim:3:16: expected one of =, !=, <, <=, >, >=, got '=='" },
	{ H "expect A R thp =\n", 0,
	  "t.fsim:3:17: expected a count such as 1, got end of line" },
	{ H "expect A R thp = -1\n", 0,
	  "t.fsim:3:18: expected a count such as 1, got '-1'" },
	{ H "expect A R thp = 9223372036854775808\n", 0,
	  "t.fsim:3:18: expected a count such as 1 below 2^63, got '9223372036854775808'" },
	{ H "expect A R rss = 2X\n", 0,
	  "t.fsim:3:18: expected a size such as 2M below 2^63, got '2X'" },
	{ H "expect A R thp = 1 2\n", 0,
	  "t.fsim:3:20: expected end of line, got '2'" },
	{ "expect vmstat\n", 0,
	  "t.fsim:1:14: expected a vmstat counter name, got end of line" },
	{ "expect vmstat 9x 1\n", 0,
	  "t.fsim:1:15: expected a vmstat counter name, got '9x'" },
	{ "expect vmstat x -\n", 0,
	  "t.fsim:1:17: expected a count such as 1, got '-'" },
	{ H "expect collapse A R\n", 0,
	  "t.fsim:3:20: expected ok or fail, got end of line" },
	{ H "expect collapse A R maybe\n", 0,
	  "t.fsim:3:21: expected ok or fail, got 'maybe'" },
	{ H "expect collapse B R ok\n", 0,
	  "t.fsim:3:17: expected a process created by spawn or fork, got 'B'" },
	{ H "expect[] A R thp 1\n", 0,
	  "t.fsim:3:8: expected a profile name such as v6.9" },
	{ H "expect[v6.9 A R thp 1\n", 0,
	  "t.fsim:3:12: expected ',' or ']' after a profile name" },
	{ H "expect[v6.9,] A R thp 1\n", 0,
	  "t.fsim:3:13: expected a profile name such as v6.9" },
	{ H "expect[a,b,a] A R thp 1\n", 0,
	  "t.fsim:3:12: expected a different profile name such as v6.9" },
	{ H "expect[v6.9]x A R thp 1\n", 0,
	  "t.fsim:3:12: expected ',' or ']' after a profile name" },
	{ H "expect A Q thp 1\n", 0,
	  "t.fsim:3:10: expected a region created by mmap or mremap, got 'Q'" },
	/* position: line counting over comments, blank lines, CRLF */
	{ "# c\n\n   \n\tspawn A # x\r\n  A mmap\r\n", 0,
	  "t.fsim:5:9: expected a region name, got end of line" },
};

static bool check_case(const struct bad_case *c)
{
	size_t len = c->len ? c->len : strlen(c->text);
	struct scn_scenario s;
	char err[512];

	memset(err, 'X', sizeof(err));
	CHECK_INT(scn_parse("t.fsim", c->text, len, &s, err, sizeof(err)),
		  ==, -1);
	if (strncmp(err, c->want, strlen(c->want))) {
		printf("# got:  %s\n# want: %s\n", err, c->want);
		return false;
	}
	CHECK(strchr(err, '\n') == NULL);
	CHECK(s.ops == NULL && s.nr_ops == 0 && s.procs == NULL);
	return true;
}

/* A 200000-byte line and a 100000-digit number end in an error, not a crash. */
static bool test_very_long_lines(void)
{
	size_t n = 200000;
	char *text = malloc(n + 32), err[128];
	struct scn_scenario s;

	CHECK(text);
	memset(text, 'a', n);
	memcpy(text + n, " fork b\n", 9);
	CHECK_INT(scn_parse("t.fsim", text, strlen(text), &s, err,
			    sizeof(err)), ==, -1);
	CHECK(!strncmp(err, "t.fsim:1:1: expected a process created by "
		       "spawn or fork, got 'aaaa", 66));
	CHECK(strstr(err, "...'") != NULL);
	memcpy(text, "spawn A\nA mmap R ", 17);
	memset(text + 17, '9', n - 17);
	text[n] = '\0';
	CHECK_INT(scn_parse("t.fsim", text, n, &s, err, sizeof(err)), ==, -1);
	CHECK(strstr(err, "t.fsim:2:10: expected a size such as 2M") == err);
	free(text);
	return true;
}

/* The message is cut to the buffer, which stays NUL-terminated. */
static bool test_small_error_buffer(void)
{
	struct scn_scenario s;
	char err[12];

	memset(err, 'X', sizeof(err));
	CHECK_INT(scn_parse("t.fsim", "hello\n", 6, &s, err, 8), ==, -1);
	CHECK(!strcmp(err, "t.fsim:"));
	CHECK(err[8] == 'X');
	CHECK_INT(scn_parse("t.fsim", "hello\n", 6, &s, NULL, 0), ==, -1);
	return true;
}

/* An empty input and an input of comments are valid, empty scenarios. */
static bool test_empty_inputs(void)
{
	struct scn_scenario s;
	char err[64];

	CHECK_INT(scn_parse("t.fsim", "", 0, &s, err, sizeof(err)), ==, 0);
	CHECK_INT(s.nr_ops, ==, 0);
	scn_free(&s);
	CHECK_INT(scn_parse("t.fsim", "# \xff\x00\n\n \t\n", 8, &s, err,
			    sizeof(err)), ==, 0);
	CHECK_INT(s.nr_ops, ==, 0);
	scn_free(&s);
	return true;
}

int main(void)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		TEST(check_case(&cases[i]), "rejects with '%.60s'",
		     cases[i].want);
	TEST(test_very_long_lines(),
	     "very long lines and numbers give an error, not a crash");
	TEST(test_small_error_buffer(),
	     "the message is cut to a small error buffer");
	TEST(test_empty_inputs(),
	     "empty input and comment-only input (any bytes) parse");
	return tap_done();
}
