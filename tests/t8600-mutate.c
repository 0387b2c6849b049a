// SPDX-License-Identifier: GPL-2.0-only
/*
 * Mutation coverage: --force parsing, a forced decision point changes a
 * scenario's outcome, and the kill matrix kills the mutants it must, keeps
 * the survivors it must, and is the same for 1 and 4 threads.
 */
#include <string.h>

#include "exec/exec.h"
#include "explore/mutate.h"
#include "lib/tap.h"

/* Collapses one full PMD with khugepaged and says so. */
static const char full[] =
	"set enabled madvise\n"
	"set hugepages-2048kB/enabled inherit\n"
	"spawn P\n"
	"P mmap R 2M\n"
	"P write R\n"
	"P madvise R hugepage\n"
	"khugepaged\n"
	"expect P R thp = 1\n";

/* A fork-shared region: max_ptes_shared 0 must block the collapse. */
static const char shared[] =
	"set enabled madvise\n"
	"set hugepages-2048kB/enabled inherit\n"
	"set khugepaged/max_ptes_shared 0\n"
	"spawn P\n"
	"P mmap R 2M\n"
	"P write R\n"
	"P fork Q\n"
	"P madvise R hugepage\n"
	"Q madvise R hugepage\n"
	"khugepaged\n"
	"expect P R thp = 0\n";

static bool parse(const char *text, struct scn_scenario *s)
{
	char err[256];

	return !scn_parse("<t8600>", text, strlen(text), s, err, sizeof(err));
}

static bool test_force_parse(void)
{
	struct exec_force f;
	char err[160];

	CHECK(!exec_force_parse("young=false", &f, err, sizeof(err)));
	CHECK(!f.value && !strcmp(exec_point_name(f.point), "young"));
	CHECK(!exec_force_parse("collapse:alloc_huge_page_failed=1", &f, err,
				sizeof(err)));
	CHECK(f.value);
	CHECK(exec_force_parse("nope=true", &f, err, sizeof(err)));
	CHECK(strstr(err, "no decision point 'nope'"));
	CHECK(exec_force_parse("young=maybe", &f, err, sizeof(err)));
	CHECK(strstr(err, "true or false"));
	CHECK(exec_force_parse("young", &f, err, sizeof(err)));
	CHECK(exec_point_name(1000) == NULL);
	return true;
}

/* Forcing the allocation to fail stops the collapse the scenario expects. */
static bool test_forced_point_changes_outcome(void)
{
	struct exec_force f;
	struct exec_model_opts mo = { .shared_pred = -1 };
	struct exec_result r;
	struct scn_scenario s;
	char err[160];

	CHECK(parse(full, &s));
	CHECK_INT(exec_model(&s, &mo, &r), ==, EXEC_OK);
	exec_result_free(&r);
	CHECK(!exec_force_parse("collapse:alloc_huge_page_failed=true", &f,
				err, sizeof(err)));
	mo.forces = &f;
	mo.nr_forces = 1;
	CHECK_INT(exec_model(&s, &mo, &r), ==, EXEC_FAILED);
	exec_result_free(&r);
	scn_free(&s);
	return true;
}

static bool test_matrix(void)
{
	const char *names[2] = { "full", "shared" };
	struct scn_scenario s[2];
	struct mut_result a, b;
	int m;

	CHECK(parse(full, &s[0]) && parse(shared, &s[1]));
	CHECK(!mutate_run("v6.18", s, names, 2, 1, NULL, &a));
	CHECK(!mutate_run("v6.18", s, names, 2, 4, NULL, &b));
	CHECK_INT(a.nr_mutants, ==, b.nr_mutants);
	CHECK(!memcmp(a.cell, b.cell, (size_t)a.nr_mutants * 2));
	/* must be killed: the allocation fails, so "full" does not collapse */
	m = mut_find(&a, "collapse:alloc_huge_page_failed=true");
	CHECK(m >= 0 && mut_cell(&a, m, 0) == MUT_KILLED);
	/* must be killed: nothing is shared, so "shared" collapses */
	m = mut_find(&a, "predicate=never");
	CHECK(m >= 0 && mut_cell(&a, m, 1) == MUT_KILLED);
	CHECK(mut_cell(&a, m, 0) == MUT_SAME);
	/* must survive: no PTE is swapped, the check is never evaluated */
	m = mut_find(&a, "scan:exceed_swap_pte=true");
	CHECK(m >= 0 && !mut_killed(&a, m));
	CHECK(mut_cell(&a, m, 0) == MUT_SAME && mut_cell(&a, m, 1) == MUT_SAME);
	/* the profile's own predicate is not a mutant */
	CHECK_INT(mut_find(&a, "predicate=maybe"), ==, -1);
	mut_result_free(&a);
	mut_result_free(&b);
	scn_free(&s[0]);
	scn_free(&s[1]);
	return true;
}

int main(void)
{
	TEST(test_force_parse(),
	     "--force POINT=true|false parses; unknown points and values fail");
	TEST(test_forced_point_changes_outcome(),
	     "a forced allocation failure makes a collapse scenario fail");
	TEST(test_matrix(),
	     "mutate kills what it must, keeps survivors, same for -j1 and -j4");
	return tap_done();
}
