// SPDX-License-Identifier: GPL-2.0-only
/*
 * Undoing a run: kill and reap the children, remove the trace instance,
 * unmount the tracefs the run mounted, remove the zram swap, write back
 * every setting in rank order.  All of it is
 * async-signal-safe: the signal handler, kx_guard_close() and the recovery
 * of a killed run's saved copy all come here.
 */
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"

static void report_failure(const struct kx_saved *s, int err)
{
	char buf[KX_ERRBUF];

	kx_say(STDERR_FILENO, "foliosim: cannot restore ", s->path, " to ",
	       s->value, ": ", kx_errname(-err, buf), NULL);
}

/* Write @s back unless it already holds its value.  Return: 0 or -errno. */
static int restore_one(const struct kx_saved *s, int report_fd)
{
	char cur[KX_VALUE_LEN];
	int ret;

	ret = kx_read_setting(s->path, cur, sizeof(cur));
	if (ret || kx_seq(cur, s->value))
		return ret;
	ret = kx_write_file(s->path, s->value);
	if (!ret)
		kx_say(report_fd, "restored ", s->path, ": ", cur, " -> ",
		       s->value, NULL);
	return ret;
}

static bool differs(const struct kx_saved *s)
{
	char cur[KX_VALUE_LEN];

	return kx_read_setting(s->path, cur, sizeof(cur)) ||
	       !kx_seq(cur, s->value);
}

static const struct kx_saved *find_rank(const struct kx_state *st, int rank)
{
	int i;

	for (i = 0; i < st->nr; i++)
		if (st->set[i].rank == rank)
			return &st->set[i];
	return NULL;
}

static bool ksm_knobs_differ(const struct kx_state *st)
{
	int i;

	for (i = 0; i < st->nr; i++)
		if (st->set[i].rank == KX_RANK_KSM && differs(&st->set[i]))
			return true;
	return false;
}

/*
 * ksmd is stopped while its knobs are written back.  max_page_sharing and
 * merge_across_nodes refuse to change (EBUSY) while KSM pages exist, even
 * with ksmd stopped: then unmerge everything (run = 2) and retry.  The
 * saved ksm/run goes back last.  Return: the number of failures.
 */
static int restore_ksm(const struct kx_state *st, int report_fd)
{
	const struct kx_saved *run = find_rank(st, KX_RANK_KSM_RUN);
	const struct kx_saved *s;
	int i, ret, failed = 0;

	if (run && ksm_knobs_differ(st))
		kx_write_file(run->path, "0");
	for (i = 0; i < st->nr; i++) {
		s = &st->set[i];
		if (s->rank != KX_RANK_KSM)
			continue;
		ret = restore_one(s, report_fd);
		if (ret == -EBUSY && run && !kx_write_file(run->path, "2"))
			ret = restore_one(s, report_fd);
		if (ret) {
			report_failure(s, ret);
			failed++;
		}
	}
	if (run) {
		ret = restore_one(run, report_fd);
		if (ret) {
			report_failure(run, ret);
			failed++;
		}
	}
	return failed;
}

/**
 * kx_restore_settings() - write every saved setting back, in rank order
 * @st: the saved settings
 * @report_fd: each value written is reported here (-1: quiet)
 *
 * Values already equal are left alone.  Failures are reported on stderr.
 * Return: the number of settings that could not be restored.
 */
int kx_restore_settings(const struct kx_state *st, int report_fd)
{
	int i, ret, failed = restore_ksm(st, report_fd);

	for (i = 0; i < st->nr; i++) {
		if (st->set[i].rank <= KX_RANK_KSM_RUN)
			continue;
		ret = restore_one(&st->set[i], report_fd);
		if (ret) {
			report_failure(&st->set[i], ret);
			failed++;
		}
	}
	return failed;
}

/* Undo everything @st records.  Return: the number of failures. */
int kx_state_undo(struct kx_state *st, int report_fd)
{
	int failed = 0;

	failed += kx_trace_remove(st, report_fd);
	failed += kx_tracefs_umount(st, report_fd);
	failed += kx_zram_remove(st, report_fd);
	failed += kx_restore_settings(st, report_fd);
	return failed;
}

/* SIGKILL every registered child, then reap them all. */
void kx_children_kill(struct kx_guard *g)
{
	pid_t pid;
	int i;

	for (i = 0; i < KX_MAX_CHILDREN; i++)
		if (g->child[i] > 0)
			kill(g->child[i], SIGKILL);
	for (i = 0; i < KX_MAX_CHILDREN; i++) {
		pid = g->child[i];
		if (pid <= 0)
			continue;
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		g->child[i] = 0;
	}
}

/*
 * The whole undo of an open guard.  Children go first so that nothing
 * touches memory while the swap is removed.  Return: the failures.
 */
int kx_teardown(struct kx_guard *g, int report_fd)
{
	int fd = g->trace_fd;

	kx_children_kill(g);
	if (fd >= 0) {
		g->trace_fd = -1;
		close(fd);
	}
	return kx_state_undo(&g->st, report_fd);
}
