// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kernel executor's safety layer on the live kernel: settings a guarded
 * run changes come back on close, on SIGTERM/SIGINT/SIGHUP and, after
 * SIGKILL, at the next open; the lock, zram swap, the trace instance and
 * children.  Every test compares all writable THP/KSM files with a snapshot
 * taken at the start; without root or THP every test is skipped, and the
 * trace tests where tracefs cannot be had (t7050 covers its mounting).
 * The snapshot and the backstop hold the run lock, so that neither takes
 * another run's changes (its khugepaged gate, say) for the settings.
 */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "host/guard.h"
#include "host/internal.h"
#include "host/tracefs.h"
#include "host/zram.h"
#include "lib/tap.h"
#include "lib/tk.h"

#define THP "/sys/kernel/mm/transparent_hugepage"
#define KSM "/sys/kernel/mm/ksm"
#define MAX_SNAP 96

/* {========== snapshots of every writable tunable ==========} */

struct snap {
	int n;
	char path[MAX_SNAP][160];
	char val[MAX_SNAP][160];
};

static struct snap before;	/* taken once, before the first test */

static void read_text(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	size_t n = f ? fread(buf, 1, len - 1, f) : 0;

	buf[n] = '\0';
	if (f)
		fclose(f);
}

static void snap_add(struct snap *s, const char *path)
{
	struct stat st;

	if (s->n == MAX_SNAP || stat(path, &st) || !S_ISREG(st.st_mode) ||
	    !(st.st_mode & S_IWUSR))
		return;
	snprintf(s->path[s->n], sizeof(s->path[0]), "%s", path);
	read_text(path, s->val[s->n], sizeof(s->val[0]));
	s->n++;
}

/* Every writable file in @dir, and one level of subdirectories. */
static void snap_dir(struct snap *s, const char *dir, int depth)
{
	char path[160];
	struct dirent *de;
	struct stat st;
	DIR *d = opendir(dir);

	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.' ||
		    snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >=
		    (int)sizeof(path))
			continue;
		if (!stat(path, &st) && S_ISDIR(st.st_mode)) {
			if (depth)
				snap_dir(s, path, depth - 1);
			continue;
		}
		snap_add(s, path);
	}
	if (d)
		closedir(d);
}

static void snap_take(struct snap *s)
{
	s->n = 0;
	snap_dir(s, THP, 1);
	snap_dir(s, KSM, 0);
	snap_add(s, "/proc/sys/vm/min_free_kbytes");
	snap_add(s, "/sys/block/zram0/disksize");
}

/* Entries of @b that differ from @a (same walk, same order). */
static int snap_diff(const struct snap *a, const struct snap *b, bool say)
{
	int i, n = a->n != b->n;

	for (i = 0; i < a->n && i < b->n; i++) {
		if (!strcmp(a->path[i], b->path[i]) &&
		    !strcmp(a->val[i], b->val[i]))
			continue;
		n++;
		if (say)
			printf("# changed %s: was '%.*s', now '%.*s'\n",
			       a->path[i], (int)strcspn(a->val[i], "\n"),
			       a->val[i], (int)strcspn(b->val[i], "\n"),
			       b->val[i]);
	}
	return n;
}

static bool all_restored(void)
{
	struct snap now;

	snap_take(&now);
	return snap_diff(&before, &now, true) == 0;
}

/* The word to write back for a sysfs reading. */
static void word_of(const char *val, char *buf, size_t len)
{
	const char *open = strchr(val, '[');

	if (open)
		snprintf(buf, len, "%.*s", (int)strcspn(open + 1, "]"),
			 open + 1);
	else
		snprintf(buf, len, "%.*s", (int)strcspn(val, "\n"), val);
}

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), m = strlen(tail);

	return n >= m && !strcmp(s + n - m, tail);
}

/* Backstop phases: ksmd off, knobs, ksm/run, then the khugepaged sleeps. */
static int phase_of(const char *path)
{
	if (!strcmp(path, KSM "/run"))
		return 2;
	if (ends_with(path, "alloc_sleep_millisecs"))
		return 3;
	if (ends_with(path, "scan_sleep_millisecs"))
		return 4;
	return 1;
}

/*
 * The tests' own cleanup path, independent of the code under test: write
 * back, in a safe order, whatever still differs from the snapshot.
 */
static void backstop(void)
{
	char word[160], err[256];
	struct snap now;
	int i, phase, fd, lock = kx_run_lock_wait(600, err, sizeof(err));

	if (lock < 0) {
		printf("# backstop: %s\n", err);
		return;
	}
	snap_take(&now);
	if (!snap_diff(&before, &now, false)) {
		close(lock);
		return;
	}
	printf("# backstop: restoring settings the tests left changed\n");
	fd = open(KSM "/run", O_WRONLY);
	if (fd >= 0 && write(fd, "0", 1) < 0)
		printf("# backstop: cannot stop ksmd\n");
	if (fd >= 0)
		close(fd);
	for (phase = 1; phase <= 4; phase++)
		for (i = 0; i < before.n && i < now.n; i++) {
			if (phase_of(before.path[i]) != phase ||
			    !strcmp(before.val[i], now.val[i]) ||
			    strncmp(before.path[i], "/sys/kernel/mm/", 15))
				continue;
			word_of(before.val[i], word, sizeof(word));
			fd = open(before.path[i], O_WRONLY);
			if (fd < 0 || write(fd, word, strlen(word)) < 0)
				printf("# backstop: cannot restore %s\n",
				       before.path[i]);
			if (fd >= 0)
				close(fd);
		}
	close(lock);
}

/* {========== helpers ==========} */

/* The changes a guarded test run makes; the khugepaged gate closes first. */
static const char *const changes[][2] = {
	{ "khugepaged/scan_sleep_millisecs", "3600000" },
	{ "khugepaged/alloc_sleep_millisecs", "123456" },
	{ "khugepaged/max_ptes_none", "100" },
	{ "khugepaged/pages_to_scan", "512" },
	{ "defrag", "never" },
	{ "use_zero_page", "0" },
	{ "shrink_underused", "0" },
	{ "hugepages-64kB/enabled", "madvise" },
	{ "ksm/pages_to_scan", "50" },
	{ "ksm/sleep_millisecs", "11" },
	{ "ksm/max_page_sharing", "100" },
	{ "ksm/run", "1" },
};
#define NR_CHANGES ((int)(sizeof(changes) / sizeof(changes[0])))

/*
 * Every open that should succeed waits while another run (one not taking
 * the test lock, e.g. a manual 'foliosim diff') holds the guard's lock.
 */
static bool open_guard(struct kx_guard **g)
{
	char err[256];
	int ret = kx_guard_open_wait(g, 120, err, sizeof(err));

	if (ret)
		printf("# kx_guard_open: %d: %s\n", ret, err);
	return ret == 0;
}

/* Make every change and read each one back. */
static bool apply_changes(struct kx_guard *g)
{
	char err[256], val[64];
	int i;

	for (i = 0; i < NR_CHANGES; i++) {
		if (kx_set(g, changes[i][0], changes[i][1], err, sizeof(err)) ||
		    kx_get(changes[i][0], val, sizeof(val), err, sizeof(err))) {
			printf("# %s\n", err);
			return false;
		}
		if (strcmp(val, changes[i][1])) {
			printf("# %s reads '%s' after setting '%s'\n",
			       changes[i][0], val, changes[i][1]);
			return false;
		}
	}
	return true;
}

static bool saved_copy_exists(void)
{
	return !access(KX_SAVED_PATH, F_OK);
}

/* Every setting as it was before the tests, and no saved copy left. */
static bool nothing_left(void)
{
	CHECK(all_restored());
	CHECK(!saved_copy_exists());
	return true;
}

static bool file_contains(const char *path, const char *text)
{
	char buf[8192];

	read_text(path, buf, sizeof(buf));
	return strstr(buf, text) != NULL;
}

static int saved_copy_pid(void)
{
	char buf[8192];
	int pid = 0;

	read_text(KX_SAVED_PATH, buf, sizeof(buf));
	if (strncmp(buf, "foliosim-saved 1\npid ", 21) ||
	    sscanf(buf + 21, "%d", &pid) != 1)
		return 0;
	return pid;
}

static bool zram_swap_active(void)
{
	return file_contains("/proc/swaps", "/dev/zram0");
}

static bool any_swap_active(void)
{
	char buf[4096];

	read_text("/proc/swaps", buf, sizeof(buf));
	return strchr(buf, '\n') && strchr(buf, '\n')[1];
}

static bool gone(pid_t pid)
{
	return kill(pid, 0) && errno == ESRCH;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* {========== guarded runs in child processes ==========} */

enum run_kind {
	RUN_SETTINGS,		/* change settings, wait for a signal */
	RUN_SWAP,		/* ... and set up zram swap */
	RUN_TRACE,		/* open a trace instance */
	RUN_CHILDREN,		/* change settings, fork two children */
	RUN_HOLD,		/* change settings, close when told */
	RUN_EXIT,		/* change settings, exit() without close */
	RUN_ABORT,		/* change settings, abort() */
	RUN_FAULT,		/* change settings, touch a PROT_NONE page */
};

struct run {
	pid_t pid;
	int ready;		/* child -> parent: "R ..." or "F reason" */
	int go;			/* parent -> child (RUN_HOLD) */
	char msg[256];
};

static void child_say(int fd, const char *msg)
{
	if (write(fd, msg, strlen(msg)) < 0)
		_exit(3);
}

static void pause_child(void)
{
	for (;;)
		pause();
}

/* RUN_CHILDREN: two registered children that wait to be killed. */
static bool fork_two(struct kx_guard *g, char *msg, size_t len)
{
	pid_t pid[2];
	int i;

	for (i = 0; i < 2; i++) {
		pid[i] = fork();
		if (pid[i] == 0) {
			kx_child_after_fork(g);
			pause_child();
		}
		if (pid[i] < 0 || kx_child_add(g, pid[i]))
			return false;
	}
	snprintf(msg, len, "R %d %d\n", (int)pid[0], (int)pid[1]);
	return true;
}

static bool run_do(struct kx_guard *g, enum run_kind kind, char *msg,
		   size_t len)
{
	char err[256];
	bool ok = true;

	snprintf(msg, len, "R\n");
	switch (kind) {
	case RUN_SETTINGS:
	case RUN_HOLD:
	case RUN_EXIT:
	case RUN_ABORT:
	case RUN_FAULT:
		return apply_changes(g);
	case RUN_SWAP:
		ok = apply_changes(g) &&
		     kx_swap_ensure(g, err, sizeof(err)) == 1;
		break;
	case RUN_TRACE:
		ok = !kx_trace_open(g, err, sizeof(err));
		break;
	case RUN_CHILDREN:
		return apply_changes(g) && fork_two(g, msg, len);
	}
	if (!ok)
		snprintf(msg, len, "F %.200s\n", err);
	return ok;
}

/* Leave without kx_guard_close(): by exit(), abort() or a real fault. */
static void die(enum run_kind kind)
{
	struct rlimit no_core = { 0, 0 };
	volatile char *page;

	setrlimit(RLIMIT_CORE, &no_core);
	if (kind == RUN_FAULT)	/* a sanitizer's report is noise here */
		dup2(open("/dev/null", O_WRONLY), STDERR_FILENO);
	if (kind == RUN_EXIT)
		exit(0);
	if (kind == RUN_ABORT)
		abort();
	page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		    0);
	if (page != MAP_FAILED)
		*page = 1;
	_exit(4);
}

/* The child: open, change, report, then wait for a signal (or "go"). */
static void run_child(enum run_kind kind, int ready, int go)
{
	static const int sigs[] = { SIGHUP, SIGINT, SIGTERM };
	struct kx_guard *g;
	char msg[256], c;
	size_t i;

	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], SIG_DFL);
	if (!open_guard(&g))
		_exit(2);
	if (!run_do(g, kind, msg, sizeof(msg))) {
		if (msg[0] != 'F')
			snprintf(msg, sizeof(msg), "F the changes failed\n");
		kx_guard_close(g);
		child_say(ready, msg);
		_exit(1);
	}
	child_say(ready, msg);
	if (kind == RUN_EXIT || kind == RUN_ABORT || kind == RUN_FAULT)
		die(kind);
	if (kind != RUN_HOLD)
		pause_child();
	if (read(go, &c, 1) != 1)
		c = 0;
	_exit(kx_guard_close(g) ? 1 : 0);
}

static int run_end(struct run *r);

/* Start a guarded run and wait (up to 30 s) until it has made its changes. */
static bool run_start(struct run *r, enum run_kind kind)
{
	int rp[2], gp[2];
	struct pollfd pfd;
	ssize_t n;

	memset(r, 0, sizeof(*r));
	if (pipe(rp) || pipe(gp))
		return false;
	fflush(stdout);
	r->pid = fork();
	if (r->pid == 0) {
		close(rp[0]);
		close(gp[1]);
		run_child(kind, rp[1], gp[0]);
	}
	close(rp[1]);
	close(gp[0]);
	r->ready = rp[0];
	r->go = gp[1];
	pfd = (struct pollfd){ .fd = r->ready, .events = POLLIN };
	n = poll(&pfd, 1, 30000) == 1 ?
	    read(r->ready, r->msg, sizeof(r->msg) - 1) : -1;
	r->msg[n > 0 ? n : 0] = '\0';
	if (r->pid > 0 && r->msg[0] == 'R')
		return true;
	printf("# run did not start: %s\n", n > 0 ? r->msg : "-");
	run_end(r);		/* SIGTERM: it restores what it changed */
	return false;
}

/* Reap the run (killing it with SIGTERM if it still lives); its status. */
static int run_end(struct run *r)
{
	int status = -1;

	if (r->pid > 0 && waitpid(r->pid, &status, WNOHANG) == 0) {
		kill(r->pid, SIGTERM);
		waitpid(r->pid, &status, 0);
	}
	close(r->ready);
	close(r->go);
	r->pid = 0;
	return status;
}

static int signal_run(struct run *r, int sig)
{
	int status = -1;

	kill(r->pid, sig);
	waitpid(r->pid, &status, 0);
	r->pid = 0;
	return status;
}

/* Capture what @fn prints on stderr while it runs. */
static int with_stderr(int (*fn)(void), char *buf, size_t len)
{
	FILE *tmp = tmpfile();
	int saved, ret;
	size_t n;

	fflush(stderr);
	saved = dup(STDERR_FILENO);
	if (tmp)
		dup2(fileno(tmp), STDERR_FILENO);
	ret = fn();
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	n = tmp ? (rewind(tmp), fread(buf, 1, len - 1, tmp)) : 0;
	buf[n] = '\0';
	if (tmp)
		fclose(tmp);
	if (n)
		printf("# stderr: %.*s\n", (int)strcspn(buf, "\n"), buf);
	return ret;
}

/* {========== the tests ==========} */

/* kx_get gives the selected word of a bracketed choice file. */
static bool test_get_reads_selected_word(void)
{
	char val[64], err[256], raw[256], want[64];

	CHECK(!kx_get("enabled", val, sizeof(val), err, sizeof(err)));
	read_text(THP "/enabled", raw, sizeof(raw));
	CHECK(strchr(raw, '['));
	word_of(raw, want, sizeof(want));
	CHECK(!strcmp(val, want));
	CHECK(!kx_get("ksm/max_page_sharing", val, sizeof(val), err,
		      sizeof(err)));
	CHECK(!strchr(val, '\n') && !strchr(val, '['));
	return true;
}

/* The saved copy holds the value of @path from before the tests. */
static bool saved_as_before(const char *path)
{
	char word[160], line[400];
	int i;

	for (i = 0; i < before.n; i++)
		if (!strcmp(before.path[i], path))
			break;
	CHECK(i < before.n);
	word_of(before.val[i], word, sizeof(word));
	snprintf(line, sizeof(line), "\nset %s %s\n", path, word);
	return file_contains(KX_SAVED_PATH, line);
}

static bool changes_then_close(struct kx_guard *g)
{
	char err[256], min_free[32];

	CHECK(saved_copy_exists());
	CHECK_INT(saved_copy_pid(), ==, getpid());
	CHECK(apply_changes(g));
	/* a mode change recomputes min_free_kbytes: that must come back too */
	CHECK(!kx_set(g, "enabled", "never", err, sizeof(err)));
	read_text("/proc/sys/vm/min_free_kbytes", min_free, sizeof(min_free));
	printf("# with enabled=never, min_free_kbytes is %.*s\n",
	       (int)strcspn(min_free, "\n"), min_free);
	CHECK(saved_as_before("/proc/sys/vm/min_free_kbytes"));
	CHECK(saved_as_before(THP "/khugepaged/scan_sleep_millisecs"));
	CHECK(saved_as_before(THP "/defrag"));
	CHECK(saved_as_before(THP "/hugepages-64kB/enabled"));
	CHECK(saved_as_before(KSM "/run"));
	CHECK(!file_contains(KX_SAVED_PATH, "anon_beside_full"));
	return true;
}

/* Settings changed by a guarded run are all back after close. */
static bool test_close_restores_settings(void)
{
	struct kx_guard *g;
	bool ok;

	CHECK(open_guard(&g));
	ok = changes_then_close(g);
	CHECK_INT(kx_guard_close(g), ==, 0);
	CHECK(ok);
	CHECK(nothing_left());
	return true;
}

static bool unsaved_paths_refused(struct kx_guard *g)
{
	static const char *const refused[] = {
		"anon_beside_full", "shmem_enabled", "khugepaged/full_scans",
		"ksm/full_scans", "../ksm/run", "no_such_file",
	};
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		CHECK_INT(kx_set(g, refused[i], "1", err, sizeof(err)), ==,
			  -1);
		CHECK(strstr(err, "not a saved setting"));
	}
	CHECK_INT(kx_set(g, "khugepaged/max_ptes_none", "4096", err,
			 sizeof(err)), ==, -1);
	printf("# %s\n", err);
	CHECK(strstr(err, "Invalid argument"));
	return true;
}

/* kx_set refuses paths the guard did not save and reports errno. */
static bool test_set_refuses_unsaved_paths(void)
{
	struct kx_guard *g;
	bool ok;

	CHECK(open_guard(&g));
	ok = unsaved_paths_refused(g);
	CHECK_INT(kx_guard_close(g), ==, 0);
	CHECK(ok);
	CHECK(all_restored());
	return true;
}

static int open_then_close(void)
{
	struct kx_guard *g;
	char err[256];
	int ret = kx_guard_open_wait(&g, 120, err, sizeof(err));

	if (ret)
		printf("# kx_guard_open: %s\n", err);
	else if (!all_restored())
		ret = -2;	/* recovery did not restore */
	if (!ret)
		ret = kx_guard_close(g);
	return ret;
}

/* A SIGKILLed run leaves its changes and saved copy; next open recovers. */
static bool test_sigkill_then_open_recovers(void)
{
	char out[1024], want[128];
	struct snap mid;
	struct run r;
	int status;
	pid_t pid;

	CHECK(run_start(&r, RUN_SETTINGS));
	pid = r.pid;
	status = signal_run(&r, SIGKILL);
	run_end(&r);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	snap_take(&mid);
	CHECK_INT(snap_diff(&before, &mid, false), >=, NR_CHANGES);
	CHECK(saved_copy_exists());
	CHECK_INT(saved_copy_pid(), ==, pid);
	CHECK_INT(with_stderr(open_then_close, out, sizeof(out)), ==, 0);
	snprintf(want, sizeof(want), "foliosim: restored settings saved by "
		 "an interrupted run (pid %d)", (int)pid);
	CHECK(strstr(out, want));
	CHECK(nothing_left());
	return true;
}

/* A fatal signal to a guarded run restores at once and re-raises it. */
static bool signal_restores_at_once(int sig)
{
	struct run r;
	int status;

	CHECK(run_start(&r, RUN_SETTINGS));
	status = signal_run(&r, sig);
	run_end(&r);
	CHECK(WIFSIGNALED(status));
	CHECK_INT(WTERMSIG(status), ==, sig);
	CHECK(nothing_left());
	return true;
}

static bool test_sigterm_restores_at_once(void)
{
	return signal_restores_at_once(SIGTERM);
}

static bool test_sigint_restores_at_once(void)
{
	return signal_restores_at_once(SIGINT);
}

static bool test_sighup_restores_at_once(void)
{
	return signal_restores_at_once(SIGHUP);
}

/* A guarded run of @kind left to end by itself; its wait status. */
static bool run_to_end(enum run_kind kind, int *status)
{
	struct run r;

	CHECK(run_start(&r, kind));
	waitpid(r.pid, status, 0);
	r.pid = 0;
	run_end(&r);
	return true;
}

/* exit() without kx_guard_close(): the atexit hook restores. */
static bool test_exit_restores(void)
{
	int status;

	CHECK(run_to_end(RUN_EXIT, &status));
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(nothing_left());
	return true;
}

/* abort() restores, then the run dies of SIGABRT. */
static bool test_abort_restores(void)
{
	int status;

	CHECK(run_to_end(RUN_ABORT, &status));
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
	CHECK(nothing_left());
	return true;
}

/*
 * A real fault restores, then faults again under the previous handler:
 * the default (SIGSEGV) or a sanitizer's (which reports and exits 1).
 */
static bool test_fault_restores(void)
{
	int status;

	CHECK(run_to_end(RUN_FAULT, &status));
	CHECK((WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV) ||
	      (WIFEXITED(status) && WEXITSTATUS(status) == 1));
	CHECK(nothing_left());
	return true;
}

static bool second_open_refused(pid_t holder)
{
	struct kx_guard *g;
	char err[256], want[128];

	CHECK_INT(kx_guard_open(&g, err, sizeof(err)), ==, KX_CANNOT_RUN);
	printf("# %s\n", err);
	snprintf(want, sizeof(want), "another foliosim kernel run (pid %d) "
		 "holds %s", (int)holder, KX_LOCK_PATH);
	CHECK(!strcmp(err, want));
	CHECK(g == NULL);
	CHECK_INT(saved_copy_pid(), ==, holder);
	CHECK_INT(kx_restore_saved(-1, err, sizeof(err)), ==, -1);
	CHECK(!strcmp(err, want));
	return true;
}

/* While one run holds the lock, a second open fails at once and says why. */
static bool test_second_open_fails_while_locked(void)
{
	struct run r;
	bool ok;
	int status;

	CHECK(run_start(&r, RUN_HOLD));
	ok = second_open_refused(r.pid);
	CHECK(write(r.go, "g", 1) == 1);
	waitpid(r.pid, &status, 0);
	r.pid = 0;
	run_end(&r);
	CHECK(ok);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(all_restored());
	return true;
}

static bool swap_up_then_close(struct kx_guard *g)
{
	char err[256];

	CHECK_INT(kx_swap_ensure(g, err, sizeof(err)), ==, 1);
	CHECK(zram_swap_active());
	CHECK(file_contains(KX_SAVED_PATH, "\nzram zram0\n"));
	CHECK_INT(kx_swap_ensure(g, err, sizeof(err)), ==, 0);
	return true;
}

/* With no swap active, zram0 becomes swap for the run and goes at close. */
static bool test_zram_swap_set_up_and_removed(void)
{
	struct kx_guard *g;
	bool ok;

	CHECK(open_guard(&g));
	ok = swap_up_then_close(g);
	CHECK_INT(kx_guard_close(g), ==, 0);
	CHECK(ok);
	CHECK(!any_swap_active());
	CHECK(all_restored());
	return true;
}

static int report_fd = -1;

static int restore_saved_to_report(void)
{
	char err[256];
	int ret = kx_restore_saved(report_fd, err, sizeof(err));

	if (ret < 0)
		printf("# kx_restore_saved: %s\n", err);
	return ret;
}

#define SCAN_SLEEP_LINE "restored " THP "/khugepaged/scan_sleep_millisecs"

/*
 * 'kernel --restore' undoes a run killed by SIGKILL: its zram swap and its
 * settings, with khugepaged/scan_sleep_millisecs written last.
 */
static bool test_restore_saved_removes_killed_runs_zram(void)
{
	char report[4096], out[1024], *last;
	FILE *tmp = tmpfile();
	struct run r;
	size_t n;

	CHECK(tmp);
	report_fd = fileno(tmp);
	CHECK(run_start(&r, RUN_SWAP));
	signal_run(&r, SIGKILL);
	run_end(&r);
	CHECK(zram_swap_active());
	CHECK(file_contains(KX_SAVED_PATH, "\nzram zram0\n"));
	CHECK_INT(with_stderr(restore_saved_to_report, out, sizeof(out)), ==,
		  1);
	rewind(tmp);
	n = fread(report, 1, sizeof(report) - 1, tmp);
	report[n] = '\0';
	fclose(tmp);
	printf("# report: %.*s\n", (int)strcspn(report, "\n"), report);
	CHECK(strstr(report, "removed swap on /dev/zram0\n"));
	CHECK(strstr(report, "restored " THP "/defrag: never -> "));
	last = report + strlen(report) - 1;
	while (last > report && last[-1] != '\n')
		last--;
	CHECK(!strncmp(last, SCAN_SLEEP_LINE, strlen(SCAN_SLEEP_LINE)));
	CHECK(!any_swap_active());
	CHECK(!saved_copy_exists());
	CHECK(all_restored());
	return true;
}

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif

/*
 * MADV_COLLAPSE of one PMD range of our own with 8 pages written: the
 * collapse path emits mm_khugepaged_scan_pmd and mm_collapse_huge_page.
 */
static bool collapse_one_pmd(void)
{
	size_t pmd = 2UL << 20;
	char *raw, *p;
	int ret;

	raw = mmap(NULL, 2 * pmd, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(raw != MAP_FAILED);
	p = (char *)(((unsigned long)raw + pmd - 1) & ~(pmd - 1));
	madvise(p, pmd, MADV_NOHUGEPAGE);
	memset(p, 1, 8 * 4096);
	madvise(p, pmd, MADV_HUGEPAGE);
	ret = madvise(p, pmd, MADV_COLLAPSE);
	if (ret)
		printf("# MADV_COLLAPSE: %s\n", strerror(errno));
	munmap(raw, 2 * pmd);
	return ret == 0;
}

static bool trace_instance_works(struct kx_guard *g, char *dir, size_t len)
{
	char err[256], path[512], *text;
	size_t n;
	bool ok;

	CHECK_INT(kx_trace_open(g, err, sizeof(err)), ==, 0);
	CHECK(kx_trace_dir(g));
	snprintf(dir, len, "%s", kx_trace_dir(g));
	CHECK(strstr(dir, "/instances/foliosim-"));
	CHECK(file_contains(KX_SAVED_PATH, dir));
	snprintf(path, sizeof(path),
		 "%s/events/huge_memory/mm_khugepaged_scan_pmd/enable", dir);
	CHECK(file_contains(path, "1"));
	snprintf(path, sizeof(path),
		 "%s/events/huge_memory/mm_collapse_huge_page/enable", dir);
	CHECK(file_contains(path, "1"));
	CHECK(collapse_one_pmd());
	text = kx_trace_read(g, &n);
	CHECK(text);
	ok = strstr(text, "mm_khugepaged_scan_pmd") &&
	     strstr(text, "mm_collapse_huge_page");
	if (!ok)
		printf("# trace: %.200s\n", text);
	free(text);
	CHECK(ok);
	CHECK_INT(kx_trace_clear(g), ==, 0);
	text = kx_trace_read(g, &n);
	CHECK(text);
	ok = !strstr(text, "mm_khugepaged_scan_pmd");
	free(text);
	CHECK(ok);
	return true;
}

/* The run's trace instance exists with its events on, and goes at close. */
static bool test_trace_instance_created_and_removed(void)
{
	char dir[256] = "";
	struct kx_guard *g;
	bool ok;

	CHECK(open_guard(&g));
	ok = trace_instance_works(g, dir, sizeof(dir));
	CHECK_INT(kx_guard_close(g), ==, 0);
	CHECK(ok);
	CHECK(access(dir, F_OK) && errno == ENOENT);
	CHECK(all_restored());
	return true;
}

/* The next open removes the trace instance of a run killed by SIGKILL. */
static bool test_open_removes_killed_runs_trace(void)
{
	char dir[256], out[1024];
	struct run r;

	CHECK(run_start(&r, RUN_TRACE));
	snprintf(dir, sizeof(dir), "/sys/kernel/tracing/instances/foliosim-%d",
		 (int)r.pid);
	if (access(dir, F_OK))
		snprintf(dir, sizeof(dir),
			 "/sys/kernel/debug/tracing/instances/foliosim-%d",
			 (int)r.pid);
	signal_run(&r, SIGKILL);
	run_end(&r);
	CHECK(!access(dir, F_OK));
	CHECK_INT(with_stderr(open_then_close, out, sizeof(out)), ==, 0);
	CHECK(access(dir, F_OK) && errno == ENOENT);
	CHECK(!saved_copy_exists());
	return true;
}

static bool fork_children(struct kx_guard *g, pid_t *pid, int n)
{
	int i;

	fflush(stdout);
	for (i = 0; i < n; i++) {
		pid[i] = fork();
		if (pid[i] == 0) {
			kx_child_after_fork(g);
			pause_child();
		}
		CHECK(pid[i] > 0);
		CHECK_INT(kx_child_add(g, pid[i]), ==, 0);
	}
	return true;
}

/* Registered children are killed and reaped at close: no zombie left. */
static bool test_children_killed_and_reaped_on_close(void)
{
	pid_t pid[3] = { 0, 0, 0 };
	struct kx_guard *g;
	bool ok;
	int i;

	CHECK(open_guard(&g));
	ok = fork_children(g, pid, 3);
	CHECK_INT(kx_guard_close(g), ==, 0);
	CHECK(ok);
	for (i = 0; i < 3; i++) {
		CHECK_INT(waitpid(pid[i], NULL, WNOHANG), ==, -1);
		CHECK_INT(errno, ==, ECHILD);
		CHECK(gone(pid[i]));
	}
	return true;
}

/* SIGTERM to a run kills and reaps its children before it dies. */
static bool test_sigterm_kills_runs_children(void)
{
	struct run r;
	int a = 0, b = 0, status;

	CHECK(run_start(&r, RUN_CHILDREN));
	CHECK_INT(sscanf(r.msg, "R %d %d", &a, &b), ==, 2);
	CHECK(!gone(a) && !gone(b));
	status = signal_run(&r, SIGTERM);
	run_end(&r);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
	CHECK(gone(a));
	CHECK(gone(b));
	CHECK(all_restored());
	return true;
}

static long ksm_count(const char *name)
{
	char path[128], buf[64];

	snprintf(path, sizeof(path), KSM "/%s", name);
	read_text(path, buf, sizeof(buf));
	return atol(buf);
}

/* 64 identical pages in one mergeable area, merged by ksmd. */
static bool merge_pages(struct kx_guard *g, char *area, size_t len)
{
	char err[256];
	int i;

	memset(area, 0x5a, len);
	CHECK(!madvise(area, len, MADV_MERGEABLE));
	CHECK(!kx_set(g, "ksm/max_page_sharing", "100", err, sizeof(err)));
	CHECK(!kx_set(g, "ksm/sleep_millisecs", "0", err, sizeof(err)));
	CHECK(!kx_set(g, "ksm/pages_to_scan", "1000", err, sizeof(err)));
	CHECK(!kx_set(g, "ksm/run", "1", err, sizeof(err)));
	for (i = 0; i < 2000 && !ksm_count("pages_shared"); i++)
		sleep_ms(10);
	CHECK_INT(ksm_count("pages_shared"), >, 0);
	CHECK_INT(kx_set(g, "ksm/max_page_sharing", "200", err, sizeof(err)),
		  ==, -1);
	printf("# with pages shared: %s\n", err);
	CHECK(strstr(err, "Device or resource busy"));
	CHECK(!kx_set(g, "ksm/run", "0", err, sizeof(err)));
	CHECK_INT(kx_set(g, "ksm/max_page_sharing", "200", err, sizeof(err)),
		  ==, -1);
	CHECK(!kx_set(g, "ksm/run", "1", err, sizeof(err)));
	return true;
}

/*
 * Restoring max_page_sharing while KSM pages exist hits EBUSY; close
 * unmerges (ksm/run = 2) and retries, and every KSM knob comes back.
 */
static bool test_ksm_restore_with_pages_shared(void)
{
	size_t len = 64 * 4096;
	struct kx_guard *g;
	long shared;
	char *area;
	bool ok;

	area = mmap(NULL, len, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(area != MAP_FAILED);
	if (!open_guard(&g)) {
		munmap(area, len);
		return false;
	}
	ok = merge_pages(g, area, len);
	CHECK_INT(kx_guard_close(g), ==, 0);
	shared = ksm_count("pages_shared");	/* still mapped: unmerged? */
	munmap(area, len);
	CHECK(ok);
	CHECK_INT(shared, ==, 0);
	CHECK(all_restored());
	return true;
}

/* {========== the khugepaged gate is never an original ==========} */

#define SCAN_SLEEP	THP "/khugepaged/scan_sleep_millisecs"
#define ALLOC_SLEEP	THP "/khugepaged/alloc_sleep_millisecs"
#define GATE_MSG	" is the khugepaged gate of a foliosim run or " \
			"exported test, not this machine's setting: " \
			"restoring the default "

static const char *value_in(const struct kx_state *st, const char *path)
{
	int i;

	for (i = 0; i < st->nr; i++)
		if (!strcmp(st->set[i].path, path))
			return st->set[i].value;
	return "(not saved)";
}

/* Write the khugepaged sleeps under our guard, which restores them. */
static bool set_sleeps(struct kx_guard *g, const char *scan,
		       const char *alloc)
{
	char err[256];

	CHECK(!kx_set(g, "khugepaged/alloc_sleep_millisecs", alloc, err,
		      sizeof(err)));
	CHECK(!kx_set(g, "khugepaged/scan_sleep_millisecs", scan, err,
		      sizeof(err)));
	return true;
}

static struct kx_state captured;

/* What the next run's open would save now (kx_guard_open() calls it). */
static int capture_now(void)
{
	char err[256];
	int ret = kx_state_capture(&captured, err, sizeof(err));

	if (ret)
		printf("# kx_state_capture: %s\n", err);
	return ret;
}

/*
 * Capture with the sleeps at @scan and @alloc; the values saved for them
 * must be @want_scan and @want_alloc, every other one the original, and
 * stderr must say so exactly when one was replaced.
 */
static bool captured_as(struct kx_guard *g, const char *scan,
			const char *alloc, const char *want_scan,
			const char *want_alloc)
{
	char out[2048];
	bool replaced = strcmp(scan, want_scan) || strcmp(alloc, want_alloc);
	int i;

	CHECK(set_sleeps(g, scan, alloc));
	CHECK_INT(with_stderr(capture_now, out, sizeof(out)), ==, 0);
	CHECK_INT(captured.nr, ==, g->st.nr);
	CHECK(!strcmp(value_in(&captured, SCAN_SLEEP), want_scan));
	CHECK(!strcmp(value_in(&captured, ALLOC_SLEEP), want_alloc));
	for (i = 0; i < captured.nr; i++)
		if (strcmp(captured.set[i].path, SCAN_SLEEP) &&
		    strcmp(captured.set[i].path, ALLOC_SLEEP))
			CHECK(!strcmp(captured.set[i].value,
				      value_in(&g->st, captured.set[i].path)));
	CHECK(!!strstr(out, GATE_MSG) == replaced);
	if (strcmp(scan, want_scan))
		CHECK(strstr(out, "foliosim: the current settings: "
			      "khugepaged/scan_sleep_millisecs 4294967295"
			      GATE_MSG "10000 instead\n"));
	if (strcmp(alloc, want_alloc))
		CHECK(strstr(out, "foliosim: the current settings: "
			      "khugepaged/alloc_sleep_millisecs 0" GATE_MSG
			      "60000 instead\n"));
	return true;
}

static bool gate_refused_at_capture(struct kx_guard *g)
{
	/* the executor's gate, as an unlocked or killed run leaves it */
	CHECK(captured_as(g, KX_GATE_SCAN_SLEEP, KX_GATE_ALLOC_SLEEP,
			  "10000", "60000"));
	/* bench's probe parks khugepaged without touching alloc_sleep */
	CHECK(captured_as(g, KX_GATE_SCAN_SLEEP, "123456", "10000",
			  "123456"));
	/* alloc_sleep_millisecs 0 alone is a person's choice: kept */
	CHECK(captured_as(g, "3600000", KX_GATE_ALLOC_SLEEP, "3600000",
			  KX_GATE_ALLOC_SLEEP));
	return true;
}

/*
 * The gate left on the machine (an exported test killed by SIGKILL keeps
 * no saved copy; a run without the lock may hold it): the next open saves
 * the defaults for the sleeps, and says so.  Planted under our guard, so
 * that the lock is held throughout and close puts everything back.
 */
static bool test_gate_not_saved_as_original(void)
{
	struct kx_guard *g;
	bool ok;

	CHECK(open_guard(&g));
	ok = gate_refused_at_capture(g);
	CHECK_INT(kx_guard_close(g), ==, 0);
	CHECK(ok);
	CHECK(all_restored());
	return true;
}

static struct kx_state loaded;

/* What recovery of a killed run's copy does (kx_guard_open(), --restore). */
static int load_and_undo(void)
{
	char err[256];
	int ret = kx_saved_load(&loaded, err, sizeof(err));

	if (ret != 1) {
		printf("# kx_saved_load: %d: %s\n", ret, err);
		return -1;
	}
	return kx_state_undo(&loaded, -1);
}

static bool gate_refused_in_saved_copy(struct kx_guard *g)
{
	struct kx_state bad = g->st;
	char err[256], val[64], defrag[64], out[2048], want[512];
	int i;

	CHECK(!kx_get("defrag", defrag, sizeof(defrag), err, sizeof(err)));
	for (i = 0; i < bad.nr; i++) {
		if (!strcmp(bad.set[i].path, SCAN_SLEEP))
			strcpy(bad.set[i].value, KX_GATE_SCAN_SLEEP);
		if (!strcmp(bad.set[i].path, ALLOC_SLEEP))
			strcpy(bad.set[i].value, KX_GATE_ALLOC_SLEEP);
	}
	bad.pid = 1;
	CHECK(!kx_saved_write(&bad, err, sizeof(err)));
	CHECK(file_contains(KX_SAVED_PATH, "scan_sleep_millisecs "
			    KX_GATE_SCAN_SLEEP "\n"));
	CHECK(set_sleeps(g, "3600000", "123456"));
	CHECK(!kx_set(g, "defrag", strcmp(defrag, "never") ? "never" :
		      "always", err, sizeof(err)));
	CHECK_INT(with_stderr(load_and_undo, out, sizeof(out)), ==, 0);
	snprintf(want, sizeof(want), "foliosim: the saved copy of pid 1: "
		 "khugepaged/scan_sleep_millisecs 4294967295" GATE_MSG
		 "10000 instead\n");
	CHECK(strstr(out, want));
	CHECK(strstr(out, "khugepaged/alloc_sleep_millisecs 0" GATE_MSG
		      "60000 instead\n"));
	CHECK(!kx_get("khugepaged/scan_sleep_millisecs", val, sizeof(val),
		      err, sizeof(err)) && !strcmp(val, "10000"));
	CHECK(!kx_get("khugepaged/alloc_sleep_millisecs", val, sizeof(val),
		      err, sizeof(err)) && !strcmp(val, "60000"));
	/* the rest of the copy is restored as it was saved */
	CHECK(!kx_get("defrag", val, sizeof(val), err, sizeof(err)) &&
	      !strcmp(val, defrag));
	return true;
}

/*
 * A saved copy whose originals are the gate (captured while another
 * run's gate was up) is recovered with the defaults for the sleeps.  The
 * copy is planted in place of our guard's own and put back afterwards.
 */
static bool test_gate_in_saved_copy_not_restored(void)
{
	struct kx_guard *g;
	char err[256];
	bool ok;

	CHECK(open_guard(&g));
	ok = gate_refused_in_saved_copy(g);
	if (kx_saved_write(&g->st, err, sizeof(err)))
		printf("# %s\n", err);
	CHECK_INT(kx_guard_close(g), ==, 0);
	CHECK(ok);
	CHECK(all_restored());
	return true;
}

/* {========== main ==========} */

struct t7000_test {
	bool (*fn)(void);
	const char *desc;
	bool needs_no_swap;
	bool needs_tracefs;
};

static const struct t7000_test tests[] = {
	{ test_get_reads_selected_word,
	  "kx_get reads a bracketed choice file as its selected word" },
	{ test_close_restores_settings,
	  "every setting a guarded run changed is back after close" },
	{ test_set_refuses_unsaved_paths,
	  "kx_set refuses paths the guard did not save and reports errno" },
	{ test_sigkill_then_open_recovers,
	  "a SIGKILLed run's changes are recovered by the next open" },
	{ test_sigterm_restores_at_once,
	  "SIGTERM to a guarded run restores at once and re-raises" },
	{ test_sigint_restores_at_once,
	  "SIGINT to a guarded run restores at once and re-raises" },
	{ test_sighup_restores_at_once,
	  "SIGHUP to a guarded run restores at once and re-raises" },
	{ test_exit_restores,
	  "exit() without close restores through the atexit hook" },
	{ test_abort_restores,
	  "abort() in a guarded run restores, then dies of SIGABRT" },
	{ test_fault_restores,
	  "a segmentation fault in a guarded run restores first" },
	{ test_second_open_fails_while_locked,
	  "a second open fails at once while another run holds the lock" },
	{ test_zram_swap_set_up_and_removed,
	  "zram0 becomes swap for the run and is removed at close", true },
	{ test_restore_saved_removes_killed_runs_zram,
	  "kx_restore_saved undoes a SIGKILLed run's zram and settings", true },
	{ test_trace_instance_created_and_removed,
	  "the trace instance is created with its events and removed", false,
	  true },
	{ test_open_removes_killed_runs_trace,
	  "the next open removes a SIGKILLed run's trace instance", false,
	  true },
	{ test_children_killed_and_reaped_on_close,
	  "registered children are killed and reaped at close" },
	{ test_sigterm_kills_runs_children,
	  "SIGTERM to a run kills and reaps its children" },
	{ test_ksm_restore_with_pages_shared,
	  "KSM knobs are restored even while KSM pages are shared" },
	{ test_gate_not_saved_as_original,
	  "the khugepaged gate on the machine is not saved as an original" },
	{ test_gate_in_saved_copy_not_restored,
	  "the khugepaged gate in a saved copy is not restored" },
};
#define NR_TESTS ((int)(sizeof(tests) / sizeof(tests[0])))

/*
 * Runs that do not take the test lock (a manual 'foliosim diff') may hold
 * the guard: wait until none does, recovering what a killed one left, by
 * opening a guard and closing it.  The snapshot, and each test, then
 * start from settled settings instead of another run's changes (which
 * the backstop would otherwise "restore" under that run).
 */
static void settle(void)
{
	struct kx_guard *g;
	char err[256];

	if (kx_guard_open_wait(&g, 600, err, sizeof(err)))
		printf("# settle: %s\n", err);
	else if (kx_guard_close(g))
		printf("# settle: the guard could not undo its open\n");
}

int main(void)
{
	char why[256], no_trace[256] = "";
	bool swap;
	int i, lock, lock_fd;

	if (!tk_begin(kx_guard_check, why, sizeof(why), &lock)) {
		for (i = 0; i < NR_TESTS; i++)
			tap_skip(why, "%s", tests[i].desc);
		return tap_done();
	}
	settle();
	lock_fd = kx_run_lock_wait(600, why, sizeof(why));
	if (lock_fd < 0)
		printf("# snapshot without the run lock: %s\n", why);
	snap_take(&before);
	if (lock_fd >= 0)
		close(lock_fd);
	swap = any_swap_active();
	kx_tracefs_check(no_trace, sizeof(no_trace));
	for (i = 0; i < NR_TESTS; i++) {
		if (i)
			settle();
		if (tests[i].needs_no_swap && swap)
			tap_skip("a swap device is already active",
				 "%s", tests[i].desc);
		else if (tests[i].needs_tracefs && no_trace[0])
			tap_skip(no_trace, "%s", tests[i].desc);
		else
			TEST(tests[i].fn(), "%s", tests[i].desc);
		backstop();
	}
	close(lock);
	return tap_done();
}
