// SPDX-License-Identifier: GPL-2.0-only
/*
 * Scenario printer: parse -> print -> parse gives the same op list for
 * every statement form, the printed text is canonical (single spaces,
 * largest exact size suffix, explicit CMP, ranges and "at" as written),
 * and printing is a fixpoint.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/tap.h"
#include "lib/ts.h"
#include "scenario/scenario.h"

static const char *const scenarios[] = {
	/* every statement form */
	"set enabled always\nset defrag defer+madvise\n"
	"set hugepages-2048kB/enabled inherit\nset khugepaged/max_ptes_none 0\n"
	"set ksm/pages_to_scan 100\nset model/ram 64M\nset model/swap 0x1000000\n"
	"spawn A\nA mmap R 4M\nA mmap S 0x3000 at R+8M\nA mmap T 2M at 0x200000000\n"
	"A mmap U 1M at R-4M\nA fork B\nB mmap V 2M\nA munmap S\n"
	"A mremap R[0:512] R2\nA mremap R[512:] R3 4M at R-2M\n"
	"A mremap R3[0:10] R4 at 0x300000000\n"
	"A mprotect U[1:] ro\nA mprotect U rw\nA madvise T hugepage\n"
	"A madvise T[:10] cold\nA read T[3]\nA write T[0x10:0x20]\n"
	"A write T zero\nA write T value 0xdeadbeefcafe\n"
	"khugepaged\nkhugepaged 3\nksm\nksm 2\nshrink\nshow A T\nB exit\n",
	/* every expect form */
	"spawn A\nA mmap R 2M\nexpect A R thp 1\nexpect A R present >= 0x10\n"
	"expect[v6.9,kernel] A R swapped != 0\nexpect A R shared < 3\n"
	"expect A R rss <= 2M\nexpect A R rss > 5000\nexpect A R rss 1536K\n"
	"expect vmstat thp_collapse_alloc 2\nexpect vmstat nr_anon -5\n"
	"expect collapse A R fail\nexpect[v6.18] collapse A R[0:512] ok\n"
	"expect A R[7] thp > 0\nexpect A R[:3] present = 3\n",
	/* comments, blanks and odd spacing */
	"# header\n\n\t spawn\tP   # the parent\nP  mmap  big 3G\n"
	"P madvise big[0:0x200] hugepage\n",
	/* a region shared by name, inheritance, dontfork */
	"spawn A\nspawn B\nA mmap R 2M\nB mmap R 2M at 0x40000000\n"
	"A madvise R dontfork\nA fork C\nC mmap R 2M\nC read R\n",
	"",
};

/* Prints @s into a malloc'ed string. */
static char *print_to_string(const struct scn_scenario *s)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	scn_print(f, s);
	fclose(f);
	return text;
}

/* parse(print(parse(text))) == parse(text), and print is a fixpoint. */
static bool round_trip(const char *text)
{
	struct scn_scenario a, b;
	char *once, *twice;

	CHECK(ts_parse(text, &a));
	once = print_to_string(&a);
	CHECK(once);
	CHECK(ts_parse(once, &b));
	CHECK(scn_equal(&a, &b));
	twice = print_to_string(&b);
	CHECK(twice && !strcmp(once, twice));
	free(once);
	free(twice);
	scn_free(&a);
	scn_free(&b);
	return true;
}

/* @text prints as exactly @want. */
static bool prints_as(const char *text, const char *want)
{
	struct scn_scenario s;
	char *got;

	CHECK(ts_parse(text, &s));
	got = print_to_string(&s);
	CHECK(got);
	if (strcmp(got, want)) {
		printf("# got:\n%s# want:\n%s", got, want);
		return false;
	}
	free(got);
	scn_free(&s);
	return true;
}

static bool test_canonical_spacing_and_cmp(void)
{
	return prints_as("  spawn\tA  # c\nA  mmap R 0x200000\n"
			 "expect A R thp 1\nexpect vmstat x -2\n",
			 "spawn A\nA mmap R 2M\nexpect A R thp = 1\n"
			 "expect vmstat x = -2\n");
}

static bool test_sizes_use_largest_exact_suffix(void)
{
	return prints_as("spawn A\nA mmap R 3072M\nA mmap S 0x1000\n"
			 "A mmap T 1536K\nexpect A R rss 5000\n"
			 "expect A R rss 0\nexpect A R rss 2048K\n",
			 "spawn A\nA mmap R 3G\nA mmap S 4K\nA mmap T 1536K\n"
			 "expect A R rss = 5000\nexpect A R rss = 0\n"
			 "expect A R rss = 2M\n");
}

static bool test_ranges_and_at_as_written(void)
{
	return prints_as("spawn A\nA mmap R 2M at 1073741824\n"
			 "A mmap S 8K at R-0x200000\nA read R[0x1:]\n"
			 "A read R[:2]\nA read R[3]\nA read R[0:512]\n"
			 "A mremap R[0:8] N 64K at S+0\n",
			 "spawn A\nA mmap R 2M at 0x40000000\n"
			 "A mmap S 8K at R-2M\nA read R[1:]\nA read R[:2]\n"
			 "A read R[3]\nA read R[0:512]\n"
			 "A mremap R[0:8] N 64K at S+0\n");
}

static bool test_defaults_are_not_printed(void)
{
	return prints_as("khugepaged 1\nksm 5\nspawn A\nA mmap R 2M\n"
			 "A mremap R S\nA write S value 0x10\n",
			 "khugepaged\nksm 5\nspawn A\nA mmap R 2M\n"
			 "A mremap R S\nA write S value 16\n");
}

static bool test_every_advice_and_profile_list(void)
{
	char text[128], want[128];
	int i;

	for (i = 0; i < NR_SCN_ADVICE; i++) {
		snprintf(text, sizeof(text),
			 "spawn A\nA mmap R 2M\nA madvise R[1] %s\n",
			 scn_advice_names[i]);
		if (!prints_as(text, text))
			return false;
	}
	snprintf(want, sizeof(want), "spawn A\nA mmap R 2M\n"
		 "expect[v6.9,v6.10,kernel] A R shared != 0\n");
	return prints_as(want, want);
}

/* The comparison itself must see a difference, or round trips prove nothing. */
static bool test_equal_sees_differences(void)
{
	struct scn_scenario a, b;

	CHECK(ts_parse("spawn A\nA mmap R 2M\nexpect A R thp = 1\n", &a));
	CHECK(ts_parse("spawn A\nA mmap R 2M\nexpect A R thp >= 1\n", &b));
	CHECK(!scn_equal(&a, &b));
	CHECK(!scn_op_equal(&a.ops[2], &b.ops[2]));
	CHECK(scn_op_equal(&a.ops[1], &b.ops[1]));
	scn_free(&b);
	CHECK(ts_parse("spawn A\nA mmap R 4M\nexpect A R thp = 1\n", &b));
	CHECK(!scn_equal(&a, &b));
	scn_free(&b);
	CHECK(ts_parse("spawn A\nA mmap R 2M\nexpect[v6.9] A R thp = 1\n", &b));
	CHECK(!scn_equal(&a, &b));
	scn_free(&a);
	scn_free(&b);
	return true;
}

/* scn_print_op gives one statement with no newline, for messages. */
static bool test_print_op_single_line(void)
{
	struct scn_scenario s;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	CHECK(ts_parse("spawn A\nA mmap R 2M\nA read R[4:8]\n", &s));
	f = open_memstream(&text, &len);
	CHECK(f);
	scn_print_op(f, &s, &s.ops[2]);
	fclose(f);
	CHECK(!strcmp(text, "A read R[4:8]"));
	free(text);
	scn_free(&s);
	return true;
}

int main(void)
{
	size_t i;

	for (i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
		TEST(round_trip(scenarios[i]),
		     "scenario %zu survives parse, print and parse", i + 1);
	TEST(test_canonical_spacing_and_cmp(),
	     "printing uses single spaces and an explicit CMP");
	TEST(test_sizes_use_largest_exact_suffix(),
	     "sizes print with the largest exact binary suffix");
	TEST(test_ranges_and_at_as_written(),
	     "ranges keep their form and at keeps absolute or relative");
	TEST(test_defaults_are_not_printed(),
	     "default counts and sizes are left out, values are decimal");
	TEST(test_every_advice_and_profile_list(),
	     "every advice name and a profile list print as parsed");
	TEST(test_equal_sees_differences(),
	     "scn_equal tells different op lists apart");
	TEST(test_print_op_single_line(),
	     "scn_print_op prints one statement without a newline");
	return tap_done();
}
