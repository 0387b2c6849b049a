// SPDX-License-Identifier: GPL-2.0-only
/*
 * The guard: checks that the kernel executor can run here, takes the lock,
 * recovers what a killed run left, saves the settings before any change,
 * and undoes the run on kx_guard_close(), exit() and fatal signals.
 *
 * The only mutable globals of src/host/ live here: the guard itself and
 * the pointer the signal handler and the atexit hook reach it through
 * (neither receives an argument), and whether the hook is registered.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "internal.h"

static struct kx_guard the_guard = { .lock_fd = -1, .trace_fd = -1 };
static struct kx_guard *volatile active_guard;
static bool atexit_registered;

/* Signals whose default action ends the process without a chance to undo. */
static const int guard_signals[] = {
	SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGPIPE, SIGALRM, SIGUSR1, SIGUSR2,
	SIGXCPU, SIGXFSZ, SIGABRT, SIGBUS, SIGFPE, SIGILL, SIGSEGV,
};
#define NR_GUARD_SIGNALS ((int)(sizeof(guard_signals) / sizeof(int)))
static_assert(NR_GUARD_SIGNALS <= KX_NR_SIGNALS, "grow KX_NR_SIGNALS");

static bool is_fault(int sig)
{
	return sig == SIGBUS || sig == SIGFPE || sig == SIGILL ||
	       sig == SIGSEGV;
}

static int signal_index(int sig)
{
	int i;

	for (i = 0; i < NR_GUARD_SIGNALS; i++)
		if (guard_signals[i] == sig)
			return i;
	return -1;
}

/*
 * Undo the run, then die of the signal: termination signals are raised
 * again with the default action (they stay blocked until we return); a
 * real fault gets its previous handler back (a sanitizer's, say) and
 * happens again on return.  Only async-signal-safe calls from here on.
 */
static void on_signal(int sig, siginfo_t *si, void *uc)
{
	struct kx_guard *g = active_guard;
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	bool fault = is_fault(sig) && si && si->si_code > 0;
	int saved_errno = errno, i = signal_index(sig);

	(void)uc;
	if (g && g->active && g->owner == getpid()) {
		g->active = 0;
		if (!kx_teardown(g, -1))
			kx_saved_remove();
	}
	if (fault && g && i >= 0)
		sigaction(sig, &g->old[i], NULL);
	else
		sigaction(sig, &dfl, NULL);
	if (!fault)
		raise(sig);
	errno = saved_errno;
}

static void install_handlers(struct kx_guard *g)
{
	struct sigaction sa = { .sa_sigaction = on_signal };
	struct sigaction *old;
	int i;

	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < NR_GUARD_SIGNALS; i++)
		sigaddset(&sa.sa_mask, guard_signals[i]);
	for (i = 0; i < NR_GUARD_SIGNALS; i++) {
		old = &g->old[i];
		g->installed[i] = false;
		if (sigaction(guard_signals[i], NULL, old))
			continue;
		/* an ignored signal (nohup) cannot end the run: leave it */
		if (!(old->sa_flags & SA_SIGINFO) && old->sa_handler == SIG_IGN)
			continue;
		g->installed[i] = !sigaction(guard_signals[i], &sa, NULL);
	}
}

/* Put back the previous handlers, unless the caller replaced ours. */
static void uninstall_handlers(struct kx_guard *g)
{
	struct sigaction cur;
	int i;

	for (i = 0; i < NR_GUARD_SIGNALS; i++) {
		if (!g->installed[i])
			continue;
		g->installed[i] = false;
		if (sigaction(guard_signals[i], NULL, &cur) ||
		    !(cur.sa_flags & SA_SIGINFO) ||
		    cur.sa_sigaction != on_signal)
			continue;
		sigaction(guard_signals[i], &g->old[i], NULL);
	}
}

/* The termination signals, to hold off while close undoes the run. */
static void block_signals(sigset_t *old)
{
	sigset_t set;
	int i;

	sigemptyset(&set);
	for (i = 0; i < NR_GUARD_SIGNALS; i++)
		if (!is_fault(guard_signals[i]))
			sigaddset(&set, guard_signals[i]);
	sigprocmask(SIG_BLOCK, &set, old);
}

static void guard_atexit(void)
{
	struct kx_guard *g = active_guard;

	if (g && g->active && g->owner == getpid())
		kx_guard_close(g);
}

/* {========== checks ==========} */

static int check_proc_file(const char *path, char *err, size_t len)
{
	char buf[8];
	ssize_t n = -1;
	int fd, e;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		n = pread(fd, buf, sizeof(buf), 0);
	e = errno;
	if (fd >= 0)
		close(fd);
	if (n == (ssize_t)sizeof(buf))
		return 0;
	snprintf(err, len, "cannot read %s: %s", path,
		 n < 0 ? strerror(e) : "short read");
	return -1;
}

/*
 * Tracefs is not checked: only what reads the trace needs it, and the
 * trace instance mounts it where it is missing (see tracefs.h).
 */
static int check_env(char *err, size_t len)
{
	static const char *const proc_files[] = {
		"/proc/self/pagemap", "/proc/kpageflags", "/proc/kpagecount",
	};
	size_t i;

	if (geteuid()) {
		snprintf(err, len,
			 "not root: the kernel executor must run as root");
		return KX_CANNOT_RUN;
	}
	if (access(KX_THP_DIR, F_OK)) {
		snprintf(err, len, "no transparent hugepages: %s is missing",
			 KX_THP_DIR);
		return KX_CANNOT_RUN;
	}
	for (i = 0; i < sizeof(proc_files) / sizeof(*proc_files); i++)
		if (check_proc_file(proc_files[i], err, len))
			return KX_CANNOT_RUN;
	return 0;
}

int kx_guard_check(char *err, size_t len)
{
	return check_env(err, len);
}

/* {========== open, close, recovery ==========} */

/*
 * Undo a saved copy left by a run that is gone (we hold the lock).
 * Return: 1 if one was undone, 0 if there was none, -1 on failure.
 */
static int recover(int report_fd, bool announce, char *err, size_t len)
{
	struct kx_state st;
	int ret = kx_saved_load(&st, err, len);

	if (ret <= 0)
		return ret;
	if (kx_state_undo(&st, report_fd)) {
		snprintf(err, len, "cannot restore the settings saved by an "
			 "interrupted run (pid %d); %s is kept", (int)st.pid,
			 KX_SAVED_PATH);
		return -1;
	}
	if (kx_saved_remove())
		fprintf(stderr, "foliosim: cannot remove %s: %s\n",
			KX_SAVED_PATH, strerror(errno));
	if (announce)
		fprintf(stderr, "foliosim: restored settings saved by an "
			"interrupted run (pid %d)\n", (int)st.pid);
	return 1;
}

static void arm(struct kx_guard *g)
{
	install_handlers(g);
	if (!atexit_registered)
		atexit_registered = !atexit(guard_atexit);
	active_guard = g;
	g->active = 1;
}

int kx_guard_open(struct kx_guard **gp, char *err, size_t len)
{
	struct kx_guard *g = &the_guard;
	int ret, fd = -1;

	*gp = NULL;
	if (g->active && g->owner == getpid()) {
		snprintf(err, len, "the guard is already open");
		return -1;
	}
	ret = check_env(err, len);
	if (!ret)
		ret = kx_lock_take(&fd, err, len);
	if (ret)
		return ret;
	if (recover(-1, true, err, len) < 0)
		goto out_unlock;
	memset(g, 0, sizeof(*g));
	g->lock_fd = fd;
	g->trace_fd = -1;
	g->owner = getpid();
	if (kx_state_capture(&g->st, err, len) ||
	    kx_saved_write(&g->st, err, len))
		goto out_unlock;
	arm(g);
	*gp = g;
	return 0;

out_unlock:
	g->lock_fd = -1;
	kx_lock_drop(fd);
	return -1;
}

int kx_guard_close(struct kx_guard *g)
{
	sigset_t old;
	int failed;

	if (!g || !g->active || g->owner != getpid())
		return 0;
	block_signals(&old);
	g->active = 0;
	failed = kx_teardown(g, -1);
	if (failed)
		fprintf(stderr, "foliosim: could not undo everything; %s is "
			"kept for 'foliosim kernel --restore'\n",
			KX_SAVED_PATH);
	else if (kx_saved_remove())
		fprintf(stderr, "foliosim: cannot remove %s: %s\n",
			KX_SAVED_PATH, strerror(errno));
	uninstall_handlers(g);
	active_guard = NULL;
	kx_lock_drop(g->lock_fd);
	g->lock_fd = -1;
	sigprocmask(SIG_SETMASK, &old, NULL);
	return failed ? -1 : 0;
}

int kx_restore_saved(int report_fd, char *err, size_t len)
{
	int ret, fd = -1;

	if (geteuid()) {
		snprintf(err, len, "not root: restoring settings needs root");
		return -1;
	}
	if (the_guard.active && the_guard.owner == getpid()) {
		snprintf(err, len, "a guard is open in this process");
		return -1;
	}
	if (kx_lock_take(&fd, err, len))
		return -1;
	ret = recover(report_fd, false, err, len);
	kx_lock_drop(fd);
	return ret;
}

/* {========== children ==========} */

int kx_child_add(struct kx_guard *g, pid_t pid)
{
	int i;

	for (i = 0; i < KX_MAX_CHILDREN; i++)
		if (!g->child[i]) {
			g->child[i] = pid;
			return 0;
		}
	return -1;
}

void kx_child_del(struct kx_guard *g, pid_t pid)
{
	int i;

	for (i = 0; i < KX_MAX_CHILDREN; i++)
		if (g->child[i] == pid)
			g->child[i] = 0;
}

void kx_child_after_fork(struct kx_guard *g)
{
	pid_t parent = g->owner;
	int i;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	g->active = 0;
	active_guard = NULL;
	uninstall_handlers(g);
	for (i = 0; i < KX_MAX_CHILDREN; i++)
		g->child[i] = 0;
	kx_lock_drop(g->lock_fd);
	g->lock_fd = -1;
	if (getppid() != parent)
		_exit(1);	/* the run died before PDEATHSIG was set */
}
