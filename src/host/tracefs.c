// SPDX-License-Identifier: GPL-2.0-only
/*
 * The run's private tracefs instance: finding tracefs (or mounting it where
 * nobody did), creating the instance with the khugepaged events on,
 * reading its buffer, and removing it and our mount (async-signal-safe) on
 * every way out and in recovery.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "tracefs.h"

#define SCAN_EVENT "huge_memory/mm_khugepaged_scan_pmd"

static const char *const tracefs_roots[] = {
	KX_TRACEFS_MNT,
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

/*
 * Is something mounted at @root?  Asked without walking into it: where
 * debugfs is mounted, its tracing directory mounts tracefs on the first
 * walk into it (an automount nobody would undo).  A kernel that cannot
 * tell (before 5.8) is walked into.
 */
static bool mounted_at(const char *root)
{
	struct statx sx;

	if (statx(AT_FDCWD, root, AT_NO_AUTOMOUNT | AT_SYMLINK_NOFOLLOW,
		  STATX_TYPE, &sx))
		return false;
	if (!(sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT))
		return true;
	return sx.stx_attributes & STATX_ATTR_MOUNT_ROOT;
}

/* Where tracefs is mounted (into @buf): 0, or -1 when nowhere. */
static int tracefs_where(char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(tracefs_roots) / sizeof(*tracefs_roots); i++)
		if (mounted_at(tracefs_roots[i]) &&
		    exists(tracefs_roots[i], "events")) {
			snprintf(buf, len, "%s", tracefs_roots[i]);
			return 0;
		}
	return -1;
}

/* Has the tracefs at @root what a run needs?  0, or -1 with @err. */
static int tracefs_usable(const char *root, char *err, size_t len)
{
	if (!exists(root, "events/" SCAN_EVENT "/enable")) {
		snprintf(err, len, "tracefs has no %s event", SCAN_EVENT);
		return -1;
	}
	if (!exists(root, "instances")) {
		snprintf(err, len, "tracefs has no instances directory");
		return -1;
	}
	return 0;
}

static bool kernel_has_tracefs(void)
{
	char buf[4096];

	return kx_read_file("/proc/filesystems", buf, sizeof(buf)) > 0 &&
	       strstr(buf, "\ttracefs\n");
}

int kx_tracefs_check(char *err, size_t len)
{
	char root[KX_PATH_LEN];
	struct stat st;

	if (!tracefs_where(root, sizeof(root)))
		return tracefs_usable(root, err, len);
	if (!kernel_has_tracefs()) {
		snprintf(err, len, "this kernel has no tracefs");
		return -1;
	}
	if (stat(KX_TRACEFS_MNT, &st) || !S_ISDIR(st.st_mode)) {
		snprintf(err, len, "tracefs is not mounted and there is no "
			 "%s to mount it on", KX_TRACEFS_MNT);
		return -1;
	}
	if (geteuid()) {
		snprintf(err, len, "tracefs is not mounted (mounting it "
			 "needs root)");
		return -1;
	}
	return 0;
}

/* {========== mounting tracefs where nobody did ==========} */

#ifndef STATX_MNT_ID_UNIQUE
#define STATX_MNT_ID_UNIQUE 0x4000U	/* Linux 6.8 */
#endif

static uint64_t statx_mount_id(int dirfd, const char *path, int flags)
{
	struct statx sx;

	if (statx(dirfd, path, flags, STATX_MNT_ID_UNIQUE, &sx) ||
	    !(sx.stx_mask & (STATX_MNT_ID_UNIQUE | STATX_MNT_ID)))
		return 0;
	return sx.stx_mnt_id;
}

/*
 * The id of the mount at @path (the unique, never reused id where the
 * kernel has it).  Async-signal-safe.  Return: the id, or 0 on error.
 */
static uint64_t mount_id(const char *path)
{
	return statx_mount_id(AT_FDCWD, path,
			      AT_NO_AUTOMOUNT | AT_SYMLINK_NOFOLLOW);
}

/* The id of the mount open as @fd, or 0. */
static uint64_t mount_id_fd(int fd)
{
	return statx_mount_id(fd, "", AT_EMPTY_PATH);
}

static void forget_mount(struct kx_guard *g)
{
	char err[256];

	g->st.has_mount = 0;
	if (kx_saved_write(&g->st, err, sizeof(err)))
		fprintf(stderr, "foliosim: %s\n", err);
}

/*
 * A tracefs mount, not attached anywhere yet: closing the fd discards it.
 * Return: its fd, or -1 with errno set.
 */
static int detached_tracefs(void)
{
	int fs = fsopen("tracefs", FSOPEN_CLOEXEC), mnt = -1, e;

	if (fs >= 0 && !fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0))
		mnt = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID |
			      MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
	e = errno;
	if (fs >= 0)
		close(fs);
	errno = e;
	return mnt;
}

/*
 * Mount tracefs at KX_TRACEFS_MNT.  The mount is made detached first, so
 * that its id is recorded (memory, then disk) before it is attached: a
 * recovery unmounts exactly that mount, never one that was there before
 * or was mounted over ours.
 */
static int mount_tracefs(struct kx_guard *g, char *err, size_t len)
{
	struct kx_state *st = &g->st;
	int mnt = detached_tracefs(), e;

	st->mnt_id = mnt >= 0 ? mount_id_fd(mnt) : 0;
	if (st->mnt_id) {
		atomic_signal_fence(memory_order_seq_cst);
		st->has_mount = 1;
		if (kx_saved_write(st, err, len)) {
			st->has_mount = 0;
			close(mnt);
			return -1;
		}
		if (!move_mount(mnt, "", AT_FDCWD, KX_TRACEFS_MNT,
				MOVE_MOUNT_F_EMPTY_PATH)) {
			close(mnt);
			return 0;
		}
	}
	e = errno;
	if (mnt >= 0)
		close(mnt);
	if (st->has_mount)
		forget_mount(g);
	snprintf(err, len, "tracefs is not mounted and mounting it at %s "
		 "failed: %s", KX_TRACEFS_MNT, strerror(e));
	return -1;
}

/*
 * Find tracefs, or mount it; once per guard (a failure is remembered).
 * Return: 0 with g->tracefs set, or -1 with @err.
 */
static int tracefs_get(struct kx_guard *g, char *err, size_t len)
{
	char root[KX_PATH_LEN], *why = g->no_tracefs;
	size_t wlen = sizeof(g->no_tracefs);

	if (!g->tracefs[0] && !why[0]) {
		if (tracefs_where(root, sizeof(root)) &&
		    !mount_tracefs(g, why, wlen) &&
		    tracefs_where(root, sizeof(root)))
			snprintf(why, wlen, "tracefs mounted at %s shows no "
				 "events", KX_TRACEFS_MNT);
		if (!why[0] && !tracefs_usable(root, why, wlen))
			snprintf(g->tracefs, sizeof(g->tracefs), "%s", root);
	}
	if (g->tracefs[0])
		return 0;
	snprintf(err, len, "%s", why);
	return -1;
}

/*
 * Unmount the tracefs we mounted, if it is still there and still ours
 * (never one that covers it, nor one that was there before), and only
 * once our instance is gone.  Async-signal-safe.
 * Return: 0, or 1 if it could not be unmounted (reported on stderr).
 */
int kx_tracefs_umount(struct kx_state *st, int report_fd)
{
	char buf[KX_ERRBUF];

	if (!st->has_mount)
		return 0;
	if (st->has_trace)
		return 1;	/* kx_trace_remove() said why */
	if (mount_id(KX_TRACEFS_MNT) != st->mnt_id) {
		st->has_mount = 0;	/* gone, or covered: not ours to undo */
		return 0;
	}
	if (umount2(KX_TRACEFS_MNT, UMOUNT_NOFOLLOW) &&
	    (errno != EBUSY ||
	     umount2(KX_TRACEFS_MNT, UMOUNT_NOFOLLOW | MNT_DETACH))) {
		kx_say(STDERR_FILENO, "foliosim: cannot unmount tracefs at ",
		       KX_TRACEFS_MNT, ": ", kx_errname(errno, buf), NULL);
		return 1;
	}
	st->has_mount = 0;
	kx_say(report_fd, "unmounted tracefs at ", KX_TRACEFS_MNT, NULL);
	return 0;
}

/* {========== the instance ==========} */

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
	if (tracefs_get(g, err, len) || record_instance(g, err, len))
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
