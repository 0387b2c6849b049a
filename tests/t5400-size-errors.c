// SPDX-License-Identifier: GPL-2.0-only
/*
 * Sizes too large for the machine model: a clear error with the place it
 * comes from (file:line:col for scenario text, the option for --set) and
 * exit status 2, never a crash or a host OOM.  The parser's own size
 * errors (zero, overflow, past TASK_SIZE) are in t5100.  Runs ./foliosim;
 * no root needed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "exec/exec.h"
#include "lib/tap.h"

/* Parse @text, which must fail with a message starting with @want. */
static bool parse_fails(const char *text, const char *want)
{
	struct scn_scenario s;
	char err[512];

	if (!scn_parse("t.fsim", text, strlen(text), &s, err, sizeof(err))) {
		scn_free(&s);
		printf("# parsed\n");
		return false;
	}
	if (strncmp(err, want, strlen(want))) {
		printf("# got:  %s\n# want: %s\n", err, want);
		return false;
	}
	return true;
}

/* Run @text on the model (with @set, if any); the status and the error. */
static enum exec_status run(const char *text, const char *set, char *err,
			    size_t len, int *failed)
{
	struct exec_model_opts o = { .shared_pred = -1 };
	struct scn_scenario s;
	struct exec_result r;
	enum exec_status st;
	int i;

	if (scn_parse("t.fsim", text, strlen(text), &s, err, len))
		return EXEC_BAD_INPUT;
	if (set) {
		o.sets = &set;
		o.nr_sets = 1;
	}
	st = exec_model(&s, &o, &r);
	snprintf(err, len, "%s", r.error);
	*failed = 0;
	for (i = 0; i < r.nr_expects; i++)
		*failed += !r.expects[i].passed;
	exec_result_free(&r);
	scn_free(&s);
	return st;
}

static bool run_fails(const char *text, const char *set, const char *want)
{
	char err[512];
	int failed;

	CHECK_INT(run(text, set, err, sizeof(err), &failed), ==,
		  EXEC_BAD_INPUT);
	if (strncmp(err, want, strlen(want))) {
		printf("# got:  %s\n# want: %s\n", err, want);
		return false;
	}
	return true;
}

static bool test_machine_sizes(void)
{
	return parse_fails("set model/ram 80G\n",
			   "t.fsim:1:15: expected a size from 4M to 64G, "
			   "got '80G'") &&
	       parse_fails("spawn P\nset model/swap 65G\n",
			   "t.fsim:2:16: expected a size from 0M to 64G, "
			   "got '65G'") &&
	       parse_fails("set model/ram 0\n",
			   "t.fsim:1:15: expected a size from 4M to 64G, "
			   "got '0'");
}

static bool test_too_many_processes(void)
{
	size_t n = 4097, i, len = 0;
	char *text = malloc(n * 16);
	bool ok;

	if (!text)
		return false;
	for (i = 0; i < n; i++)
		len += (size_t)sprintf(text + len, "spawn P%zu\n", i);
	ok = parse_fails(text, "t.fsim:4097:7: ");
	free(text);
	return ok;
}

/* The kernel's overcommit heuristic refuses one mapping > RAM + swap. */
static bool test_mmap_over_ram_and_swap(void)
{
	return run_fails("spawn P\nP mmap A 9G\n", NULL,
			 "t.fsim:2:1: mmap: 9216 MiB is more than RAM and "
			 "swap together (8192 MiB)") &&
	       run_fails("set model/ram 64G\nset model/swap 64G\nspawn P\n"
			 "P mmap A 129G\n", NULL,
			 "t.fsim:4:1: mmap: 132096 MiB is more than RAM and "
			 "swap together (131072 MiB)") &&
	       run_fails("set model/swap 0\nspawn P\nP mmap A 5M\n",
			 "model/ram=4M",
			 "t.fsim:3:1: mmap: 5 MiB is more than RAM and swap "
			 "together (4 MiB)");
}

static bool test_write_over_ram(void)
{
	return run_fails("set model/ram 64M\nset model/swap 64M\nspawn P\n"
			 "P mmap A 100M\nP write A\n", NULL,
			 "t.fsim:5:1: write: out of simulated memory");
}

static bool test_cli_set_sizes(void)
{
	char err[320];

	CHECK_INT(exec_set_check("model/ram=128G", err, sizeof(err)), ==, -1);
	CHECK(!strcmp(err, "--set model/ram=128G: expected a size from 4M "
		      "to 64G"));
	CHECK_INT(exec_set_check("model/ram", err, sizeof(err)), ==, -1);
	CHECK(!strcmp(err, "--set model/ram: expected PATH=VALUE"));
	CHECK_INT(exec_set_check("=1G", err, sizeof(err)), ==, -1);
	CHECK_INT(exec_set_check("model/ram=64G", err, sizeof(err)), ==, 0);
	return run_fails("spawn P\n", "model/swap=1T",
			 "--set model/swap=1T: ");
}

/* The command line refuses a bad --set before running anything. */
static bool test_cli_exit_status(void)
{
	char out[512] = "";
	FILE *f;
	int st;

	f = popen("./foliosim run --set model/ram=128G "
		  "bench/scenarios/scale-one-64g.fsim 2>&1", "r");
	if (!f)
		return false;
	if (!fgets(out, sizeof(out), f))
		out[0] = 0;
	st = pclose(f);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 2);
	CHECK(!strcmp(out, "foliosim: --set model/ram=128G: expected a size "
		      "from 4M to 64G\n"));
	return true;
}

/*
 * The largest machine, and a region far larger than what is written:
 * observed a chunk at a time, counted right, shared included.
 */
static bool test_large_sparse_region(void)
{
	char err[512];
	int failed = -1;

	CHECK_INT(run("set model/ram 64G\nset model/swap 0\nspawn P\n"
		      "P mmap A 4G\nP write A[0:10]\nP write A[1048000:]\n"
		      "P fork Q\nQ write A[0:2]\n"
		      "expect Q A present = 586\nexpect Q A shared = 584\n"
		      "expect P A shared = 584\nexpect P A rss 2344K\n",
		      NULL, err, sizeof(err), &failed),
		  ==, EXEC_OK);
	CHECK_INT(failed, ==, 0);
	return true;
}

int main(void)
{
	TEST(test_machine_sizes(),
	     "model/ram and model/swap beyond the model: file:line:col");
	TEST(test_too_many_processes(),
	     "more processes than the parser allows: file:line:col");
	TEST(test_mmap_over_ram_and_swap(),
	     "mmap larger than RAM and swap: file:line:col, status 2");
	TEST(test_write_over_ram(),
	     "writing more than RAM and swap: file:line:col, status 2");
	TEST(test_cli_set_sizes(), "--set with a bad size: the option named");
	TEST(test_cli_exit_status(),
	     "foliosim run --set with a bad size: exit 2 before any run");
	TEST(test_large_sparse_region(),
	     "a 4 GiB region of a 64 GiB machine, sparsely written, counts "
	     "right");
	return tap_done();
}
