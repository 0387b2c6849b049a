// SPDX-License-Identifier: GPL-2.0-only
/*
 * The run's private tracefs instance: finding tracefs, creating the
 * instance with the khugepaged events on, reading its buffer, and removing
 * it (async-signal-safe) on every way out and in recovery.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "tracefs.h"

#define SCAN_EVENT "huge_memory/mm_khugepaged_scan_pmd"

static const char *const tracefs_roots[] = {
	"/sys/kernel/tracing",
	"/sys/kernel/debug/tracing",
};

static const char *const trace_events[] = {
	SCAN_EVENT,
	"huge_memory/mm_collapse_huge_page",
};

static bool exists(const char *root, const char *rel)
{
	char path[KX_PATH_LEN];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	return !access(path, F_OK);
}

/**
 * kx_tracefs_find() - where tracefs is mounted, with what a run needs
 * @buf: receives the mount point
 *
 * Return: 0, or -1 with a one-line reason in @err.
 */
int kx_tracefs_find(char *buf, size_t len, char *err, size_t errlen)
{
	const char *root = NULL;
	size_t i;

	for (i = 0; i < sizeof(tracefs_roots) / sizeof(*tracefs_roots); i++)
		if (exists(tracefs_roots[i], "events")) {
			root = tracefs_roots[i];
			break;
		}
	if (!root) {
		snprintf(err, errlen, "tracefs is not mounted (try: mount -t "
			 "tracefs nodev /sys/kernel/tracing)");
		return -1;
	}
	if (!exists(root, "events/" SCAN_EVENT "/enable")) {
		snprintf(err, errlen, "tracefs has no %s event", SCAN_EVENT);
		return -1;
	}
	if (!exists(root, "instances")) {
		snprintf(err, errlen, "tracefs has no instances directory");
		return -1;
	}
	snprintf(buf, len, "%s", root);
	return 0;
}

static int enable_events(const char *dir, char *err, size_t len)
{
	char path[KX_PATH_LEN];
	size_t i;
	int ret;

	for (i = 0; i < sizeof(trace_events) / sizeof(*trace_events); i++) {
		ret = -ENAMETOOLONG;
		if (snprintf(path, sizeof(path), "%s/events/%s/enable", dir,
			     trace_events[i]) < (int)sizeof(path))
			ret = kx_write_file(path, "1");
		if (ret) {
			snprintf(err, len, "cannot enable %s: %s",
				 trace_events[i], strerror(-ret));
			return -1;
		}
	}
	return 0;
}

/* Record the instance (memory, then disk) before it exists. */
static int record_instance(struct kx_guard *g, char *err, size_t len)
{
	if (snprintf(g->st.trace, sizeof(g->st.trace),
		     "%s/instances/foliosim-%d", g->tracefs,
		     (int)getpid()) >= (int)sizeof(g->st.trace)) {
		snprintf(err, len, "tracefs path too long: %s", g->tracefs);
		return -1;
	}
	atomic_signal_fence(memory_order_seq_cst);
	g->st.has_trace = 1;
	if (!kx_saved_write(&g->st, err, len))
		return 0;
	g->st.has_trace = 0;
	return -1;
}

static void forget_instance(struct kx_guard *g)
{
	char err[256];

	g->st.has_trace = 0;
	if (kx_saved_write(&g->st, err, sizeof(err)))
		fprintf(stderr, "foliosim: %s\n", err);
}

int kx_trace_open(struct kx_guard *g, char *err, size_t len)
{
	if (!g || !g->active || g->st.has_trace) {
		snprintf(err, len, "cannot open a trace instance: %s",
			 g && g->active ? "one is open" : "no guard");
		return -1;
	}
	if (record_instance(g, err, len))
		return -1;
	if (mkdir(g->st.trace, 0755)) {
		snprintf(err, len, "cannot create %s: %s", g->st.trace,
			 strerror(errno));
		goto out_forget;
	}
	if (enable_events(g->st.trace, err, len))
		goto out_remove;
	return 0;

out_remove:
	kx_trace_remove(&g->st, -1);
out_forget:
	forget_instance(g);
	return -1;
}

int kx_trace_close(struct kx_guard *g, char *err, size_t len)
{
	if (!g || !g->st.has_trace)
		return 0;
	if (kx_trace_remove(&g->st, -1)) {
		snprintf(err, len, "cannot remove %s", g->st.trace);
		return -1;
	}
	forget_instance(g);
	return 0;
}

const char *kx_trace_dir(const struct kx_guard *g)
{
	return g && g->st.has_trace ? g->st.trace : NULL;
}

static int open_trace(struct kx_guard *g, int flags)
{
	char path[KX_PATH_LEN + 8];

	if (!kx_trace_dir(g)) {
		errno = ENOENT;
		return -1;
	}
	snprintf(path, sizeof(path), "%s/trace", g->st.trace);
	return open(path, flags | O_CLOEXEC);
}

static char *read_all(int fd, size_t *lenp)
{
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap), *nbuf;
	ssize_t n = 0;

	while (buf) {
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (cap - len > 1)
			continue;
		nbuf = realloc(buf, cap *= 2);
		if (!nbuf)
			free(buf);
		buf = nbuf;
	}
	if (buf && n < 0) {
		free(buf);
		return NULL;
	}
	if (buf) {
		buf[len] = '\0';
		*lenp = len;
	}
	return buf;
}

char *kx_trace_read(struct kx_guard *g, size_t *lenp)
{
	int fd = open_trace(g, O_RDONLY), err;
	char *buf;

	if (fd < 0)
		return NULL;
	g->trace_fd = fd;	/* the handler closes it before rmdir */
	buf = read_all(fd, lenp);
	err = errno;
	g->trace_fd = -1;
	close(fd);
	errno = err;
	return buf;
}

int kx_trace_clear(struct kx_guard *g)
{
	int fd = open_trace(g, O_WRONLY | O_TRUNC);

	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

/*
 * Disable the instance's events and remove it.  Async-signal-safe.
 * Return: 0, or 1 if it could not be removed (reported on stderr).
 */
int kx_trace_remove(struct kx_state *st, int report_fd)
{
	char path[KX_PATH_LEN + 16], buf[KX_ERRBUF];

	if (!st->has_trace)
		return 0;
	kx_scpy(path, sizeof(path), st->trace);
	if (kx_scat(path, sizeof(path), "/events/enable"))
		kx_write_file(path, "0");
	if (rmdir(st->trace) && errno != ENOENT) {
		kx_say(STDERR_FILENO, "foliosim: cannot remove ", st->trace,
		       ": ", kx_errname(errno, buf), NULL);
		return 1;
	}
	st->has_trace = 0;
	kx_say(report_fd, "removed tracefs instance ", st->trace, NULL);
	return 0;
}
