// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kernel executor through its library API, on the live kernel: reads
 * verified word by word (and a page corrupted behind the actor's back is
 * reported as data lost), fork sharing, MADV_COLLAPSE, the khugepaged
 * statement and its gate, pageout to swap, KSM, mremap, bad input, and
 * that each run leaves no process behind and, once its guard is closed,
 * no setting changed (all writable THP/KSM files, min_free_kbytes, zram,
 * swaps and trace instances are compared with a snapshot).  Without
 * root or THP every test is skipped; test binaries take turns
 * on KX_TEST_LOCK.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec/exec.h"
#include "kernel/exec_kernel.h"
#include "host/guard.h"
#include "lib/tap.h"
#include "lib/tk.h"
#include "scenario/scenario.h"

#define THP "/sys/kernel/mm/transparent_hugepage"
#define KSM "/sys/kernel/mm/ksm"
#define MAX_PIDS 16

static struct kx_guard *guard;

/*
 * Under AddressSanitizer, end an error report with abort(), not _exit():
 * the guard then undoes the run in its SIGABRT handler.
 */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "abort_on_error=1";
}

/* {========== settings snapshot ==========} */

static void snap_file(FILE *out, const char *path)
{
	char buf[256] = "";
	FILE *f = fopen(path, "re");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;

	buf[n] = '\0';
	if (f)
		fclose(f);
	fprintf(out, "%s: %s", path, buf);
}

static void snap_dir(FILE *out, const char *dir, int depth)
{
	struct dirent **de;
	char path[512];
	struct stat st;
	int i, n = scandir(dir, &de, NULL, alphasort);

	if (n < 0)
		return;		/* e.g. no tracefs mounted */
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, de[i]->d_name);
		if (de[i]->d_name[0] != '.' && !stat(path, &st)) {
			if (S_ISDIR(st.st_mode) && depth)
				snap_dir(out, path, depth - 1);
			else if (S_ISREG(st.st_mode) && (st.st_mode & S_IWUSR))
				snap_file(out, path);
		}
		free(de[i]);
	}
	free(de);
}

/* Every writable THP/KSM file, min_free_kbytes, zram, swaps, traces. */
static char *snapshot(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	snap_dir(f, THP, 1);
	snap_dir(f, KSM, 0);
	snap_file(f, "/proc/sys/vm/min_free_kbytes");
	snap_file(f, "/sys/block/zram0/disksize");
	snap_file(f, "/proc/swaps");
	snap_dir(f, "/sys/kernel/tracing/instances", 0);
	fclose(f);
	return buf;
}

static char *before;

/* {========== processes ==========} */

static bool pid_gone(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	return access(path, F_OK) != 0;
}

static int children_of_us(void)
{
	struct dirent *de;
	DIR *d = opendir("/proc");
	int n = 0;

	while (d && (de = readdir(d))) {
		char path[300], buf[512], *p;
		FILE *f;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')) &&
		    atoi(p + 4) == (int)getpid())
			n++;
		fclose(f);
	}
	if (d)
		closedir(d);
	return n;
}

/* {========== runs ==========} */

struct krun {
	struct scn_scenario s;
	struct exec_result r;
	struct exec_run run;
	int next;		/* next statement to step */
	pid_t pids[MAX_PIDS];	/* every actor pid seen */
	int nr_pids;
	enum exec_status st;
};

/* Open the guard, waiting while another run (not a test) holds it. */
static bool open_guard(void)
{
	char err[512];
	int i;

	for (i = 0; i < 120; i++) {
		if (!kx_guard_open(&guard, err, sizeof(err)))
			return true;
		if (!strstr(err, "holds"))
			break;
		sleep(1);
	}
	printf("# kx_guard_open: %s\n", err);
	return false;
}

static bool start(struct krun *k, const char *text)
{
	char err[512];

	memset(k, 0, sizeof(*k));
	if (!open_guard())
		return false;
	if (scn_parse("t7100.fsim", text, strlen(text), &k->s, err,
		      sizeof(err))) {
		printf("# %s\n", err);
		kx_guard_close(guard);
		return false;
	}
	if (exec_kernel_begin(&k->s, guard, NULL, &k->r, &k->run)) {
		printf("# exec_kernel_begin: %s\n", k->r.error);
		exec_result_free(&k->r);
		scn_free(&k->s);
		kx_guard_close(guard);
		return false;
	}
	return true;
}

static void note_pids(struct krun *k)
{
	int p, i;

	for (p = 0; p < k->s.nr_procs; p++) {
		pid_t pid = exec_kernel_pid(&k->run, p);

		for (i = 0; pid && i < k->nr_pids; i++)
			if (k->pids[i] == pid)
				pid = 0;
		if (pid && k->nr_pids < MAX_PIDS)
			k->pids[k->nr_pids++] = pid;
	}
}

/* Step statements until the one on line @line (not included). */
static enum exec_status step_to(struct krun *k, int line)
{
	enum exec_status st = EXEC_OK;

	while (k->next < k->s.nr_ops && k->s.ops[k->next].line < line &&
	       st == EXEC_OK) {
		st = k->run.ops->step(k->run.x, k->next++);
		note_pids(k);
	}
	if (st != EXEC_OK)
		printf("# step: %s\n", k->r.error);
	return st;
}

static void print_failures(const struct krun *k)
{
	int i;

	for (i = 0; i < k->r.nr_expects; i++)
		if (!k->r.expects[i].passed)
			printf("# line %d: %s: got %s\n",
			       k->s.ops[k->r.expects[i].op].line,
			       k->s.ops[k->r.expects[i].op].text,
			       k->r.expects[i].got);
	if (k->r.error[0])
		printf("# %s\n", k->r.error);
}

/*
 * Step the rest, finish, close the guard, and check that nothing is left:
 * every actor gone, no child of ours, no setting changed.  Returns the
 * status.
 */
static enum exec_status finish(struct krun *k)
{
	char *now;
	int i;

	step_to(k, 1 << 30);
	k->st = k->run.ops->finish(k->run.x);
	if (k->st != EXEC_OK)
		print_failures(k);
	for (i = 0; i < k->nr_pids; i++)
		if (!pid_gone(k->pids[i])) {
			printf("# actor %d is still there\n", (int)k->pids[i]);
			k->st = EXEC_CANNOT_RUN;
		}
	if (children_of_us()) {
		printf("# %d children left\n", children_of_us());
		k->st = EXEC_CANNOT_RUN;
	}
	if (kx_guard_close(guard)) {
		printf("# kx_guard_close failed\n");
		k->st = EXEC_CANNOT_RUN;
	}
	guard = NULL;
	now = snapshot();
	if (strcmp(now, before)) {
		printf("# settings differ after the run\n");
		k->st = EXEC_CANNOT_RUN;
	}
	free(now);
	return k->st;
}

static void done(struct krun *k)
{
	exec_result_free(&k->r);
	scn_free(&k->s);
}

/* Run @text to the end; true if every expectation held. */
static bool run_ok(const char *text)
{
	struct krun k;
	bool ok;

	if (!start(&k, text))
		return false;
	ok = finish(&k) == EXEC_OK && k.r.passed > 0;
	done(&k);
	return ok;
}

/* {========== tests ==========} */

static bool test_reads_verified(void)
{
	return run_ok("set use_zero_page 0\n"
		      "spawn P\n"
		      "P mmap R 4M\n"
		      "P write R\n"
		      "P write R[3:9] value 0x1234\n"
		      "P write R[5] zero\n"
		      "P read R\n"
		      "expect P R present = 1024\n"
		      "expect P R rss = 4M\n");
}

/* A word changed through /proc/PID/mem is caught by the next read. */
static bool test_corrupted_page_is_data_lost(void)
{
	const char *text = "spawn P\n"
			   "P mmap R 2M\n"
			   "P write R[0:4]\n"
			   "P read R[0:4]\n";
	uint64_t bad = 0x1234, addr;
	char path[64];
	struct krun k;
	int fd;

	if (!start(&k, text))
		return false;
	CHECK(step_to(&k, 4) == EXEC_OK);
	addr = k.s.regions[0].addr + 2 * 4096 + 100 * 8;
	snprintf(path, sizeof(path), "/proc/%d/mem",
		 (int)exec_kernel_pid(&k.run, 0));
	fd = open(path, O_RDWR);
	CHECK(fd >= 0);
	CHECK(pwrite(fd, &bad, sizeof(bad), (off_t)addr) == sizeof(bad));
	close(fd);
	CHECK(finish(&k) == EXEC_DATA_LOST);
	CHECK_INT(k.r.data_lost, ==, 1);
	CHECK(strstr(k.r.error, "t7100.fsim:4:1: kernel: data lost: page 2 "
				"of R holds 0x1234"));
	done(&k);
	return true;
}

static bool test_fork_sharing(void)
{
	return run_ok("spawn P\n"
		      "P mmap R 2M\n"
		      "P write R[0:10]\n"
		      "P fork C\n"
		      "expect C R shared = 10\n"
		      "expect P R shared = 10\n"
		      "C write R[0:3]\n"
		      "expect C R shared = 7\n"
		      "expect P R shared = 7\n"
		      "C read R[0:10]\n"
		      "P read R[0:10]\n"
		      "C exit\n"
		      "expect P R shared = 0\n");
}

static bool test_madv_collapse(void)
{
	return run_ok("spawn P\n"
		      "P mmap R 2M\n"
		      "P write R\n"
		      "expect P R thp = 0\n"
		      "P madvise R collapse\n"
		      "expect collapse P R ok\n"
		      "expect P R thp = 1\n"
		      "expect vmstat thp_collapse_alloc = 1\n"
		      "P read R\n");
}

static bool read_ulong(const char *path, unsigned long *v)
{
	char buf[64];
	FILE *f = fopen(path, "re");
	bool ok = f && fgets(buf, sizeof(buf), f);

	if (f)
		fclose(f);
	*v = ok ? strtoul(buf, NULL, 10) : 0;
	return ok;
}

/* khugepaged's voluntary context switches, or 0 without the thread. */
static unsigned long khugepaged_switches(void)
{
	char path[300], buf[4096], *p;
	struct dirent *de;
	unsigned long v = 0;
	DIR *d = opendir("/proc");

	while (d && (de = readdir(d))) {
		FILE *f;

		snprintf(path, sizeof(path), "/proc/%s/comm", de->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		p = fgets(buf, sizeof(buf), f);
		fclose(f);
		if (!p || strcmp(buf, "khugepaged\n"))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/status", de->d_name);
		f = fopen(path, "re");
		while (f && fgets(buf, sizeof(buf), f))
			if (!strncmp(buf, "voluntary_ctxt_switches:", 24))
				v = strtoul(buf + 24, NULL, 10);
		if (f)
			fclose(f);
		break;
	}
	if (d)
		closedir(d);
	return v;
}

/*
 * An advised, fully written range is collapsed by 'khugepaged' and not
 * before: for three seconds with no such statement khugepaged does not
 * even wake up.
 */
static bool test_khugepaged_gated(void)
{
	const char *text = "spawn P\n"
			   "P mmap R 4M\n"
			   "P write R\n"
			   "P madvise R hugepage\n"
			   "expect P R thp = 0\n"
			   "khugepaged\n"
			   "expect P R thp = 2\n"
			   "expect vmstat thp_collapse_alloc = 2\n"
			   "P read R\n";
	unsigned long sw0, sw1, fs0, fs1, sleep_ms;
	struct krun k;

	if (!start(&k, text))
		return false;
	CHECK(step_to(&k, 5) == EXEC_OK);
	CHECK(read_ulong(THP "/khugepaged/scan_sleep_millisecs", &sleep_ms));
	CHECK_INT(sleep_ms, ==, 4294967295UL);
	CHECK(read_ulong(THP "/khugepaged/full_scans", &fs0));
	sw0 = khugepaged_switches();
	sleep(3);
	CHECK(read_ulong(THP "/khugepaged/full_scans", &fs1));
	sw1 = khugepaged_switches();
	CHECK_INT(fs1, ==, fs0);
	CHECK_INT(sw1, ==, sw0);
	CHECK(finish(&k) == EXEC_OK);
	CHECK_INT(k.r.passed, ==, 3);
	done(&k);
	return true;
}

static bool test_pageout_swaps(void)
{
	return run_ok("spawn P\n"
		      "P mmap R 2M\n"
		      "P write R[0:16]\n"
		      "P madvise R[0:16] pageout\n"
		      "expect P R swapped = 16\n"
		      "expect P R present = 0\n"
		      "expect vmstat pswpout = 16\n"
		      "P read R[0:16]\n"
		      "expect P R swapped = 0\n"
		      "expect P R present = 16\n");
}

static bool test_ksm_merges(void)
{
	return run_ok("spawn P\n"
		      "P mmap R 2M\n"
		      "P write R[0:8] value 7\n"
		      "P fork C\n"
		      "C write R[0:8] value 7\n"
		      "P madvise R mergeable\n"
		      "C madvise R mergeable\n"
		      "ksm 3\n"
		      "expect P R shared = 8\n"
		      "expect C R shared = 8\n"
		      "C write R[0]\n"
		      "expect vmstat cow_ksm = 1\n"
		      "P read R[0:8]\n"
		      "C read R[0:8]\n");
}

static bool test_mremap_moves_contents(void)
{
	return run_ok("spawn P\n"
		      "P mmap R 2M\n"
		      "P mmap S 2M\n"
		      "P write R[0:8]\n"
		      "P write S[0:8]\n"
		      "P mremap R[4:8] T 16K at S+1M\n"
		      "P read T\n"
		      "P read R[0:4]\n"
		      "P read S[0:8]\n"
		      "expect P R present = 4\n"
		      "expect P T present = 4\n");
}

static bool test_bad_input(void)
{
	struct krun k;

	if (!start(&k, "spawn P\n"
		       "P mmap R 2M\n"
		       "P mprotect R ro\n"
		       "P write R[1]\n"
		       "expect P R present = 0\n"))
		return false;
	CHECK(finish(&k) == EXEC_BAD_INPUT);
	CHECK(strstr(k.r.error, "t7100.fsim:4:1: kernel: write: Bad address"));
	done(&k);
	if (!start(&k, "spawn P\n"
		       "P mmap R 2M\n"
		       "P mmap R 2M\n"))
		return false;
	CHECK(finish(&k) == EXEC_BAD_INPUT);
	CHECK(strstr(k.r.error, "t7100.fsim:3:1: kernel: mmap: File exists"));
	done(&k);
	return true;
}

static bool test_exit_is_gone(void)
{
	struct krun k;

	if (!start(&k, "spawn P\n"
		       "P mmap R 2M\n"
		       "P write R\n"
		       "P fork C\n"
		       "C exit\n"
		       "expect P R shared = 0\n"))
		return false;
	CHECK(finish(&k) == EXEC_OK);
	CHECK(k.r.procs[0].alive);
	CHECK(!k.r.procs[1].alive);
	CHECK_INT(k.r.procs[0].regions[0].present, ==, 512);
	done(&k);
	return true;
}

static const struct tk_test tests[] = {
	{ test_reads_verified, "writes of every kind read back word by word" },
	{ test_corrupted_page_is_data_lost,
	  "a word changed behind the actor's back is reported as data lost" },
	{ test_fork_sharing, "fork shares pages until the child writes" },
	{ test_madv_collapse, "MADV_COLLAPSE makes one PMD THP" },
	{ test_khugepaged_gated,
	  "khugepaged collapses only at its statement, asleep before" },
	{ test_pageout_swaps, "MADV_PAGEOUT swaps pages out, reads bring "
	  "them back" },
	{ test_ksm_merges, "ksm merges equal pages of two processes" },
	{ test_mremap_moves_contents, "mremap moves the contents" },
	{ test_bad_input, "a failing call is bad input at its line" },
	{ test_exit_is_gone, "an exited process is gone, its pages unshared" },
};
#define NR_TESTS ((int)(sizeof(tests) / sizeof(tests[0])))

int main(void)
{
	char why[256];
	int i, lock;

	if (!tk_begin(exec_kernel_check, why, sizeof(why), &lock)) {
		tk_skip_all(tests, NR_TESTS, why);
		return tap_done();
	}
	before = snapshot();
	for (i = 0; i < NR_TESTS; i++)
		TEST(tests[i].fn(), "%s", tests[i].desc);
	free(before);
	close(lock);
	return tap_done();
}
