// SPDX-License-Identifier: GPL-2.0-only
/*
 * The saved copy on disk: what a run must undo, written atomically before
 * each change it covers, read back by the next run if this one was killed
 * with SIGKILL.  One item per line, so a person can read and fix it:
 *
 *	foliosim-saved 1
 *	pid 1234
 *	set /sys/kernel/mm/transparent_hugepage/defrag madvise
 *	zram zram0
 *	trace /sys/kernel/tracing/instances/foliosim-1234
 *	tracefs /sys/kernel/tracing 2147483740
 *	end
 *
 * ("tracefs": we mounted it there, with that mount id.)
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#define SAVED_MAGIC "foliosim-saved 1"

static void write_items(FILE *f, const struct kx_state *st)
{
	int i;

	fprintf(f, "%s\npid %d\n", SAVED_MAGIC, (int)st->pid);
	for (i = 0; i < st->nr; i++)
		fprintf(f, "set %s %s\n", st->set[i].path, st->set[i].value);
	if (st->has_zram)
		fprintf(f, "zram %s\n", st->zram);
	if (st->has_trace)
		fprintf(f, "trace %s\n", st->trace);
	if (st->has_mount)
		fprintf(f, "tracefs %s %llu\n", KX_TRACEFS_MNT,
			(unsigned long long)st->mnt_id);
	fprintf(f, "end\n");
}

static int sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), ret;

	if (fd < 0)
		return -1;
	ret = fsync(fd);
	close(fd);
	return ret;
}

/**
 * kx_saved_write() - replace the saved copy with @st, atomically
 *
 * Writes KX_SAVED_TMP, fsyncs it, renames it over KX_SAVED_PATH and
 * fsyncs the directory.  Return: 0, or -1 with a reason in @err.
 */
int kx_saved_write(const struct kx_state *st, char *err, size_t len)
{
	FILE *f;
	int fd;

	fd = open(KX_SAVED_TMP, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		  0600);
	f = fd < 0 ? NULL : fdopen(fd, "w");
	if (!f) {
		snprintf(err, len, "cannot create %s: %s", KX_SAVED_TMP,
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	write_items(f, st);
	if (fflush(f) || ferror(f) || fsync(fd)) {
		snprintf(err, len, "cannot write %s: %s", KX_SAVED_TMP,
			 strerror(errno));
		fclose(f);
		return -1;
	}
	if (fclose(f) || rename(KX_SAVED_TMP, KX_SAVED_PATH) ||
	    sync_dir(KX_RUN_DIR)) {
		snprintf(err, len, "cannot write %s: %s", KX_SAVED_PATH,
			 strerror(errno));
		return -1;
	}
	return 0;
}

/* A value as sysfs shows it: printable, no spaces, fits. */
static bool value_ok(const char *v)
{
	size_t n = strlen(v), i;

	if (!n || n >= KX_VALUE_LEN)
		return false;
	for (i = 0; i < n; i++)
		if (!isgraph((unsigned char)v[i]))
			return false;
	return true;
}

static bool zram_ok(const char *name)
{
	size_t i;

	if (strncmp(name, "zram", 4) || !name[4] ||
	    strlen(name) >= KX_NAME_LEN)
		return false;
	for (i = 4; name[i]; i++)
		if (!isdigit((unsigned char)name[i]))
			return false;
	return true;
}

static bool trace_ok(const char *path)
{
	return !strncmp(path, "/sys/kernel/", 12) &&
	       strstr(path, "/instances/foliosim-") && !strstr(path, "..") &&
	       strlen(path) < KX_PATH_LEN;
}

static bool parse_tracefs(struct kx_state *st, char *args)
{
	unsigned long long id;
	char path[KX_PATH_LEN], end;

	if (strlen(args) >= KX_PATH_LEN ||
	    sscanf(args, "%s %llu%c", path, &id, &end) != 2 ||
	    strcmp(path, KX_TRACEFS_MNT) || !id)
		return false;
	st->mnt_id = id;
	st->has_mount = 1;
	return true;
}

static bool parse_set(struct kx_state *st, char *args)
{
	char *path = strtok(args, " "), *value = strtok(NULL, " ");
	struct kx_saved *s = &st->set[st->nr];

	if (!path || !value || strtok(NULL, " ") || st->nr == KX_MAX_SAVED ||
	    strlen(path) >= KX_PATH_LEN || !kx_path_allowed(path) ||
	    !value_ok(value))
		return false;
	strcpy(s->path, path);
	strcpy(s->value, value);
	s->rank = kx_rank_of(path);
	st->nr++;
	return true;
}

/* One line (without its newline); sets *end on "end". */
static bool parse_line(struct kx_state *st, char *line, bool *end)
{
	char *args = strchr(line, ' ');

	if (args)
		*args++ = '\0';
	if (!strcmp(line, "end") && !args) {
		*end = true;
		return true;
	}
	if (!args)
		return false;
	if (!strcmp(line, "set"))
		return parse_set(st, args);
	if (!strcmp(line, "pid")) {
		st->pid = (pid_t)atoi(args);
		return st->pid > 0;
	}
	if (!strcmp(line, "zram") && zram_ok(args)) {
		strcpy(st->zram, args);
		st->has_zram = 1;
		return true;
	}
	if (!strcmp(line, "tracefs"))
		return parse_tracefs(st, args);
	if (!strcmp(line, "trace") && trace_ok(args)) {
		strcpy(st->trace, args);
		st->has_trace = 1;
		return true;
	}
	return false;
}

static int parse_file(FILE *f, struct kx_state *st, char *err, size_t len)
{
	char line[KX_PATH_LEN + KX_VALUE_LEN + 16];
	bool end = false;
	int n = 0;

	while (!end && fgets(line, sizeof(line), f)) {
		n++;
		line[strcspn(line, "\n")] = '\0';
		if (n == 1 ? strcmp(line, SAVED_MAGIC) :
			     !parse_line(st, line, &end))
			goto bad;
	}
	if (end && st->pid > 0)
		return 1;
	n++;
bad:
	snprintf(err, len,
		 "damaged saved copy %s (line %d): restore those settings "
		 "by hand, then remove it", KX_SAVED_PATH, n);
	return -1;
}

/**
 * kx_saved_load() - read the saved copy a killed run left
 * @st: filled from it, sorted in restore order, the khugepaged gate
 *      replaced by the defaults (kx_state_sane())
 *
 * The caller holds the lock, so a copy found here is stale.  A leftover
 * temporary file is removed.  Return: 1 if a copy was read, 0 if there is
 * none, -1 if it cannot be read or is damaged (reason in @err).
 */
int kx_saved_load(struct kx_state *st, char *err, size_t len)
{
	char whose[48];
	FILE *f;
	int ret;

	unlink(KX_SAVED_TMP);
	memset(st, 0, sizeof(*st));
	f = fopen(KX_SAVED_PATH, "re");
	if (!f) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, len, "cannot open %s: %s", KX_SAVED_PATH,
			 strerror(errno));
		return -1;
	}
	ret = parse_file(f, st, err, len);
	fclose(f);
	kx_state_sort(st);
	if (ret > 0) {
		snprintf(whose, sizeof(whose), "the saved copy of pid %d",
			 (int)st->pid);
		kx_state_sane(st, whose);
	}
	return ret;
}

/* Remove the saved copy.  Async-signal-safe.  Return: 0, or -errno. */
int kx_saved_remove(void)
{
	if (unlink(KX_SAVED_PATH) && errno != ENOENT)
		return -errno;
	return 0;
}
