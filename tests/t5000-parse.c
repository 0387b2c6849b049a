// SPDX-License-Identifier: GPL-2.0-only
/*
 * Scenario parser: every statement form and expect form, numbers and sizes,
 * ranges and their bounds, region placement (gap rule, shared names, "at"),
 * and the per-process region tracking through fork, munmap and mremap.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/tap.h"
#include "lib/ts.h"
#include "scenario/scenario.h"

#define MiB (1ULL << 20)
#define GiB (1ULL << 30)

static bool parse_fails(const char *text)
{
	struct scn_scenario s;
	char err[256];

	if (scn_parse("t.fsim", text, strlen(text), &s, err, sizeof(err)))
		return true;
	scn_free(&s);
	return false;
}

static int region(const struct scn_scenario *s, const char *name)
{
	int i;

	for (i = 0; i < s->nr_regions; i++)
		if (!strcmp(s->regions[i].name, name))
			return i;
	return -1;
}

static bool test_spawn_fork_exit(void)
{
	struct scn_scenario s;

	CHECK(ts_parse("spawn A\nA fork B\nB exit\n", &s));
	CHECK_INT(s.nr_ops, ==, 3);
	CHECK_INT(s.nr_procs, ==, 2);
	CHECK(!strcmp(s.procs[0], "A") && !strcmp(s.procs[1], "B"));
	CHECK_INT(s.ops[0].kind, ==, SCN_SPAWN);
	CHECK_INT(s.ops[0].proc, ==, 0);
	CHECK_INT(s.ops[1].kind, ==, SCN_FORK);
	CHECK_INT(s.ops[1].proc, ==, 0);
	CHECK_INT(s.ops[1].proc2, ==, 1);
	CHECK_INT(s.ops[2].kind, ==, SCN_EXIT);
	CHECK_INT(s.ops[2].proc, ==, 1);
	scn_free(&s);
	return true;
}

/*
 *  1G     +2M    +4M          +7M +8M    +10M
 *  RRRRRRR.......SSSSSSSSSSSSSSS...........TTTT
 *  each region starts at the next PMD after its predecessor's end,
 *  plus one whole unmapped PMD
 */
static bool test_auto_placement_keeps_a_pmd_gap(void)
{
	struct scn_scenario s;

	CHECK(ts_parse("spawn A\nA mmap R 2M\nA mmap S 3M\nA mmap T 4K\n", &s));
	CHECK_INT(s.nr_regions, ==, 3);
	CHECK_INT(s.regions[0].addr, ==, SCN_AUTO_BASE);
	CHECK_INT(s.regions[1].addr, ==, SCN_AUTO_BASE + 4 * MiB);
	CHECK_INT(s.regions[2].addr, ==, SCN_AUTO_BASE + 10 * MiB);
	CHECK_INT(s.regions[1].size, ==, 3 * MiB);
	CHECK_INT(s.regions[2].size, ==, 4096);
	CHECK_INT(s.ops[1].addr, ==, SCN_AUTO_BASE);
	CHECK_INT(s.ops[2].addr, ==, SCN_AUTO_BASE + 4 * MiB);
	CHECK_INT(s.ops[3].region, ==, 2);
	CHECK(!s.ops[1].has_at);
	scn_free(&s);
	return true;
}

/* The same region name in two processes is the same address and size. */
static bool test_region_names_are_global(void)
{
	struct scn_scenario s;

	CHECK(ts_parse("spawn A\nspawn B\nA mmap R 2M\nA mmap S 2M\n"
		    "B mmap R 2M\nB read R\n", &s));
	CHECK_INT(s.nr_regions, ==, 2);
	CHECK_INT(s.ops[4].region, ==, 0);
	CHECK_INT(s.ops[4].addr, ==, s.ops[2].addr);
	CHECK_INT(s.ops[5].range.region, ==, 0);
	CHECK(parse_fails("spawn A\nspawn B\nA mmap R 2M\nB mmap R 4M\n"));
	scn_free(&s);
	return true;
}

static bool test_at_absolute_and_relative(void)
{
	struct scn_scenario s;
	const struct scn_op *op;

	CHECK(ts_parse("spawn A\nA mmap R 2M at 0x80000000\n"
		    "A mmap S 8K at R+4M\nA mmap T 4K at R-2M\n"
		    "A mmap U 2M\n", &s));
	op = &s.ops[1];
	CHECK(op->has_at && !op->at.relative);
	CHECK_INT(op->at.abs, ==, 0x80000000);
	CHECK_INT(op->addr, ==, 0x80000000);
	op = &s.ops[2];
	CHECK(op->has_at && op->at.relative);
	CHECK_INT(op->at.region, ==, 0);
	CHECK_INT(op->at.offset, ==, 4 * MiB);
	CHECK_INT(op->addr, ==, 0x80000000 + 4 * MiB);
	CHECK_INT(s.ops[3].at.offset, ==, -(int64_t)(2 * MiB));
	CHECK_INT(s.ops[3].addr, ==, 0x80000000 - 2 * MiB);
	/* automatic placement continues above the highest region */
	CHECK_INT(s.ops[4].addr, ==, 0x80000000 + 8 * MiB);
	scn_free(&s);
	return true;
}

static bool test_mmap_at_must_match_known_region(void)
{
	struct scn_scenario s;

	CHECK(ts_parse("spawn A\nspawn B\nA mmap R 2M\n"
		    "B mmap R 2M at 0x40000000\n", &s));
	CHECK_INT(s.ops[3].addr, ==, SCN_AUTO_BASE);
	scn_free(&s);
	CHECK(parse_fails("spawn A\nspawn B\nA mmap R 2M\n"
			  "B mmap R 2M at 0x80000000\n"));
	return true;
}

static bool test_mremap_default_size_and_slot(void)
{
	struct scn_scenario s;
	const struct scn_op *op;

	CHECK(ts_parse("spawn A\nA mmap R 4M\nA mremap R[0:256] S\n"
		    "A mremap R[256:] T 2M at S+4M\nA read S\nA read T\n",
		    &s));
	op = &s.ops[2];
	CHECK_INT(op->kind, ==, SCN_MREMAP);
	CHECK_INT(op->range.start, ==, 0);
	CHECK_INT(op->range.end, ==, 256);
	CHECK_INT(op->region, ==, region(&s, "S"));
	CHECK(!op->has_size);
	CHECK_INT(op->size, ==, MiB);
	CHECK_INT(op->addr, ==, SCN_AUTO_BASE + 6 * MiB);
	op = &s.ops[3];
	CHECK(op->has_size && op->has_at);
	CHECK_INT(op->size, ==, 2 * MiB);
	CHECK_INT(op->addr, ==, SCN_AUTO_BASE + 10 * MiB);
	CHECK_INT(s.regions[region(&s, "T")].size, ==, 2 * MiB);
	scn_free(&s);
	return true;
}

/* After a whole-region mremap the old name is gone from that process. */
static bool test_mremap_moves_region_membership(void)
{
	CHECK(parse_fails("spawn A\nA mmap R 2M\nA mremap R S\nA read R\n"));
	CHECK(!parse_fails("spawn A\nA mmap R 2M\nA mremap R[0:8] S\n"
			   "A read R\nA read S\n"));
	CHECK(!parse_fails("spawn A\nA mmap R 2M\nA mremap R S\n"
			   "A fork B\nB read S\n"));
	CHECK(parse_fails("spawn A\nA mmap R 2M\nA mremap R R 4M\n"));
	return true;
}

static bool test_munmap_and_fork_membership(void)
{
	struct scn_scenario s;

	CHECK(parse_fails("spawn A\nA mmap R 2M\nA munmap R\nA munmap R\n"));
	CHECK(ts_parse("spawn A\nA mmap R 2M\nA fork B\nA munmap R\nB read R\n"
		    "expect A R present = 0\nshow A R\n", &s));
	CHECK_INT(s.ops[3].kind, ==, SCN_MUNMAP);
	CHECK_INT(s.ops[3].range.end, ==, 512);
	scn_free(&s);
	CHECK(parse_fails("spawn A\nA mmap R 2M\nA munmap R\nA read R\n"));
	CHECK(!parse_fails("spawn A\nA mmap R 2M\nA munmap R[1:]\n"
			   "A read R[0]\n"));
	CHECK(parse_fails("spawn A\nA mmap R 2M\nA madvise R dontfork\n"
			  "A fork B\nB read R\n"));
	CHECK(!parse_fails("spawn A\nA mmap R 2M\nA madvise R dontfork\n"
			   "A madvise R[0] dofork\nA fork B\nB read R\n"));
	CHECK(parse_fails("spawn A\nA exit\nA mmap R 2M\n"));
	return true;
}

static bool test_mprotect_and_every_advice(void)
{
	struct scn_scenario s;
	char text[256];
	int i;

	CHECK(ts_parse("spawn A\nA mmap R 2M\nA mprotect R ro\n"
		    "A mprotect R[3] rw\n", &s));
	CHECK_INT(s.ops[2].kind, ==, SCN_MPROTECT);
	CHECK(!s.ops[2].writable && s.ops[3].writable);
	scn_free(&s);
	for (i = 0; i < NR_SCN_ADVICE; i++) {
		snprintf(text, sizeof(text),
			 "spawn A\nA mmap R 2M\nA madvise R[1:2] %s\n",
			 scn_advice_names[i]);
		CHECK(ts_parse(text, &s));
		CHECK_INT(s.ops[2].kind, ==, SCN_MADVISE);
		CHECK_INT(s.ops[2].advice, ==, i);
		scn_free(&s);
	}
	CHECK(!strcmp(scn_advice_names[SCN_ADV_COLLAPSE], "collapse"));
	CHECK(!strcmp(scn_advice_names[SCN_ADV_COLD], "cold"));
	return true;
}

static bool test_read_and_write_forms(void)
{
	struct scn_scenario s;

	CHECK(ts_parse("spawn A\nA mmap R 2M\nA read R\nA write R\n"
		    "A write R zero\nA write R value 0xffffffffffffffff\n"
		    "A write R value 7\n", &s));
	CHECK_INT(s.ops[2].kind, ==, SCN_READ);
	CHECK_INT(s.ops[3].kind, ==, SCN_WRITE);
	CHECK_INT(s.ops[3].write_kind, ==, SCN_WRITE_UNIQUE);
	CHECK_INT(s.ops[4].write_kind, ==, SCN_WRITE_ZERO);
	CHECK_INT(s.ops[5].write_kind, ==, SCN_WRITE_VALUE);
	CHECK(s.ops[5].value == UINT64_MAX);
	CHECK_INT(s.ops[6].value, ==, 7);
	scn_free(&s);
	CHECK(parse_fails("spawn A\nA mmap R 2M\nA write R value\n"));
	return true;
}

static bool test_daemons_and_shrink(void)
{
	struct scn_scenario s;

	CHECK(ts_parse("khugepaged\nkhugepaged 3\nksm\nksm 0x10\nshrink\n", &s));
	CHECK_INT(s.ops[0].kind, ==, SCN_KHUGEPAGED);
	CHECK_INT(s.ops[0].count, ==, 1);
	CHECK_INT(s.ops[1].count, ==, 3);
	CHECK_INT(s.ops[2].kind, ==, SCN_KSM);
	CHECK_INT(s.ops[2].count, ==, 1);
	CHECK_INT(s.ops[3].count, ==, 16);
	CHECK_INT(s.ops[4].kind, ==, SCN_SHRINK);
	CHECK_INT(s.ops[4].proc, ==, -1);
	scn_free(&s);
	return true;
}

static bool test_set_and_show(void)
{
	struct scn_scenario s;

	CHECK(ts_parse("set enabled always\nset defrag defer+madvise\n"
		    "set hugepages-64kB/enabled inherit\nset model/ram 1G\n"
		    "spawn A\nA mmap R 2M\nshow A R\n", &s));
	CHECK_INT(s.ops[0].kind, ==, SCN_SET);
	CHECK(!strcmp(s.ops[0].path, "enabled"));
	CHECK(!strcmp(s.ops[0].setval, "always"));
	CHECK(!strcmp(s.ops[1].setval, "defer+madvise"));
	CHECK(!strcmp(s.ops[2].path, "hugepages-64kB/enabled"));
	CHECK(!strcmp(s.ops[3].setval, "1G"));
	CHECK_INT(s.ops[6].kind, ==, SCN_SHOW);
	CHECK_INT(s.ops[6].proc, ==, 0);
	CHECK_INT(s.ops[6].region, ==, 0);
	CHECK_INT(s.ops[6].range.end, ==, 512);
	scn_free(&s);
	CHECK(parse_fails("set enabled sometimes\n"));
	return true;
}

/* thp, present, swapped, shared with every CMP, and with none (=). */
static bool test_expect_counts_with_every_cmp(void)
{
	static const char *const kinds[] = { "thp", "present", "swapped",
					     "shared" };
	struct scn_scenario s;
	char text[256];
	int k, c;

	for (k = 0; k < 4; k++) {
		for (c = -1; c <= SCN_GE; c++) {
			snprintf(text, sizeof(text),
				 "spawn A\nA mmap R 2M\n"
				 "expect A R[2:] %s %s 42\n", kinds[k],
				 c < 0 ? "" : scn_cmp_names[c]);
			CHECK(ts_parse(text, &s));
			CHECK_INT(s.ops[2].kind, ==, SCN_EXPECT);
			CHECK_INT(s.ops[2].expect, ==, k);
			CHECK_INT(s.ops[2].cmp, ==, c < 0 ? SCN_EQ : c);
			CHECK_INT(s.ops[2].expect_value, ==, 42);
			CHECK_INT(s.ops[2].range.start, ==, 2);
			CHECK(s.ops[2].profiles == NULL);
			scn_free(&s);
		}
	}
	return true;
}

static bool test_expect_rss_vmstat_collapse(void)
{
	struct scn_scenario s;

	CHECK(ts_parse("spawn A\nA mmap R 2M\nexpect A R rss >= 2M\n"
		    "expect A R rss 0x1000\n"
		    "expect vmstat thp_collapse_alloc 1\n"
		    "expect vmstat nr_anon_transparent_hugepages < -2\n"
		    "expect collapse A R[0:512] ok\nexpect collapse A R fail\n",
		    &s));
	CHECK_INT(s.ops[2].expect, ==, SCN_EXP_RSS);
	CHECK_INT(s.ops[2].cmp, ==, SCN_GE);
	CHECK_INT(s.ops[2].expect_value, ==, 2 * MiB);
	CHECK_INT(s.ops[3].expect_value, ==, 4096);
	CHECK_INT(s.ops[4].expect, ==, SCN_EXP_VMSTAT);
	CHECK(!strcmp(s.ops[4].vmstat, "thp_collapse_alloc"));
	CHECK_INT(s.ops[4].proc, ==, -1);
	CHECK_INT(s.ops[5].expect_value, ==, -2);
	CHECK_INT(s.ops[5].cmp, ==, SCN_LT);
	CHECK_INT(s.ops[6].expect, ==, SCN_EXP_COLLAPSE);
	CHECK(s.ops[6].collapse_ok && !s.ops[7].collapse_ok);
	CHECK_INT(s.ops[6].range.form, ==, SCN_R_SLICE);
	scn_free(&s);
	return true;
}

static bool test_expect_profiles_filter(void)
{
	struct scn_scenario s;
	const struct scn_op *op;

	CHECK(ts_parse("spawn A\nA mmap R 2M\n"
		    "expect[v6.9,v6.10,kernel] A R thp = 0\n"
		    "expect A R thp = 0\n", &s));
	op = &s.ops[2];
	CHECK_INT(op->nr_profiles, ==, 3);
	CHECK(!strcmp(op->profiles[0], "v6.9"));
	CHECK(!strcmp(op->profiles[2], "kernel"));
	CHECK(scn_op_applies(op, "v6.10"));
	CHECK(scn_op_applies(op, "kernel"));
	CHECK(!scn_op_applies(op, "v6.18"));
	CHECK(!scn_op_applies(op, "v6.1"));
	CHECK(scn_op_applies(&s.ops[3], "v6.18"));
	scn_free(&s);
	return true;
}

static bool test_sizes_and_hex(void)
{
	struct scn_scenario s;

	CHECK(ts_parse("spawn A\nA mmap R 0x200000\nA mmap S 1G\nA mmap T 4K\n"
		    "A mmap U 12288\nA mmap V 3M\n", &s));
	CHECK_INT(s.regions[0].size, ==, 2 * MiB);
	CHECK_INT(s.regions[1].size, ==, GiB);
	CHECK_INT(s.regions[2].size, ==, 4096);
	CHECK_INT(s.regions[3].size, ==, 12288);
	CHECK_INT(s.regions[4].size, ==, 3 * MiB);
	scn_free(&s);
	CHECK(parse_fails("spawn A\nA mmap R 2m\n"));
	CHECK(parse_fails("spawn A\nA mmap R 0x\n"));
	CHECK(parse_fails("spawn A\nA mmap R 16777216T\n"));
	return true;
}

static bool test_range_forms(void)
{
	static const struct {
		const char *text;
		enum scn_range_form form;
		bool has_start, has_end;
		long start, end;
	} cases[] = {
		{ "R", SCN_R_ALL, false, false, 0, 512 },
		{ "R[7]", SCN_R_PAGE, false, false, 7, 8 },
		{ "R[0x10:0x20]", SCN_R_SLICE, true, true, 16, 32 },
		{ "R[500:]", SCN_R_SLICE, true, false, 500, 512 },
		{ "R[:3]", SCN_R_SLICE, false, true, 0, 3 },
	};
	struct scn_scenario s;
	char text[128];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct scn_range *r;

		snprintf(text, sizeof(text),
			 "spawn A\nA mmap R 2M\nA read %s\n", cases[i].text);
		CHECK(ts_parse(text, &s));
		r = &s.ops[2].range;
		CHECK_INT(r->region, ==, 0);
		CHECK_INT(r->form, ==, cases[i].form);
		CHECK_INT(r->has_start, ==, cases[i].has_start);
		CHECK_INT(r->has_end, ==, cases[i].has_end);
		CHECK_INT(r->start, ==, cases[i].start);
		CHECK_INT(r->end, ==, cases[i].end);
		scn_free(&s);
	}
	return true;
}

static bool test_range_bounds(void)
{
	CHECK(!parse_fails("spawn A\nA mmap R 2M\nA read R[511]\n"));
	CHECK(parse_fails("spawn A\nA mmap R 2M\nA read R[512]\n"));
	CHECK(!parse_fails("spawn A\nA mmap R 2M\nA read R[0:512]\n"));
	CHECK(parse_fails("spawn A\nA mmap R 2M\nA read R[0:513]\n"));
	CHECK(parse_fails("spawn A\nA mmap R 2M\nA read R[4:4]\n"));
	CHECK(parse_fails("spawn A\nA mmap R 2M\nA read R[:0]\n"));
	CHECK(parse_fails("spawn A\nA mmap R 2M\nA read R[512:]\n"));
	return true;
}

static bool test_position_and_text(void)
{
	struct scn_scenario s;

	CHECK(ts_parse("# header\n\n  spawn   A   # comment\n\tA exit\t\n", &s));
	CHECK_INT(s.nr_ops, ==, 2);
	CHECK_INT(s.ops[0].line, ==, 3);
	CHECK_INT(s.ops[0].col, ==, 3);
	CHECK(!strcmp(s.ops[0].text, "spawn   A"));
	CHECK_INT(s.ops[1].line, ==, 4);
	CHECK_INT(s.ops[1].col, ==, 2);
	CHECK(!strcmp(s.ops[1].text, "A exit"));
	CHECK(!strcmp(s.path, "t.fsim"));
	scn_free(&s);
	return true;
}

static bool test_names_in_first_use_order(void)
{
	struct scn_scenario s;

	CHECK(ts_parse("spawn Zed\nspawn _a1\nZed mmap Y 4K\n_a1 mmap X 4K\n"
		    "Zed fork b\n", &s));
	CHECK_INT(s.nr_procs, ==, 3);
	CHECK(!strcmp(s.procs[0], "Zed") && !strcmp(s.procs[2], "b"));
	CHECK(!strcmp(s.regions[0].name, "Y") &&
	      !strcmp(s.regions[1].name, "X"));
	scn_free(&s);
	return true;
}

static bool test_parse_file(void)
{
	char path[] = "/tmp/t5000-XXXXXX", err[256];
	struct scn_scenario s;
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	CHECK(write(fd, "spawn A\nA exit\n", 15) == 15);
	close(fd);
	CHECK(scn_parse_file(path, &s, err, sizeof(err)) == 0);
	CHECK_INT(s.nr_ops, ==, 2);
	CHECK(!strcmp(s.path, path));
	scn_free(&s);
	unlink(path);
	CHECK(scn_parse_file(path, &s, err, sizeof(err)) == -1);
	CHECK(!strncmp(err, path, strlen(path)));
	CHECK(strstr(err, ":1:1: ") != NULL);
	return true;
}

int main(void)
{
	TEST(test_spawn_fork_exit(), "spawn, fork and exit resolve processes");
	TEST(test_auto_placement_keeps_a_pmd_gap(),
	     "automatic regions are PMD-aligned from 1G, a free PMD apart");
	TEST(test_region_names_are_global(),
	     "a region name means one address and size in every process");
	TEST(test_at_absolute_and_relative(),
	     "mmap at 0x.. and at R+SIZE / R-SIZE resolve to addresses");
	TEST(test_mmap_at_must_match_known_region(),
	     "mmap of a known region at another address is rejected");
	TEST(test_mremap_default_size_and_slot(),
	     "mremap defaults to the range's size and the next slot");
	TEST(test_mremap_moves_region_membership(),
	     "mremap of a whole region takes the old name from the process");
	TEST(test_munmap_and_fork_membership(),
	     "fork inherits regions, munmap and dontfork remove them");
	TEST(test_mprotect_and_every_advice(),
	     "mprotect ro/rw and madvise with every advice name");
	TEST(test_read_and_write_forms(),
	     "read, write, write zero, write value N");
	TEST(test_daemons_and_shrink(), "khugepaged [N], ksm [N] and shrink");
	TEST(test_set_and_show(),
	     "set stores path and value; show names a region");
	TEST(test_expect_counts_with_every_cmp(),
	     "expect thp/present/swapped/shared with every CMP and none");
	TEST(test_expect_rss_vmstat_collapse(),
	     "expect rss SIZE, vmstat NAME (negative too), collapse ok|fail");
	TEST(test_expect_profiles_filter(),
	     "expect[PROFILES] restricts the op to the listed profiles");
	TEST(test_sizes_and_hex(), "sizes take K/M/G and hex; bad sizes fail");
	TEST(test_range_forms(), "R, R[i], R[i:j], R[i:] and R[:j] resolve");
	TEST(test_range_bounds(),
	     "ranges past the region or empty are rejected");
	TEST(test_position_and_text(),
	     "ops carry line, column and text without the comment");
	TEST(test_names_in_first_use_order(),
	     "processes and regions are numbered in first-use order");
	TEST(test_parse_file(),
	     "scn_parse_file reads a file or names it in the error");
	return tap_done();
}
