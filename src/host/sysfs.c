// SPDX-License-Identifier: GPL-2.0-only
/*
 * The THP and KSM tunables on sysfs: mapping the scenario language's set
 * paths to files, reading a value as the word to write back, capturing the
 * values of every setting a run may change, and kx_set()/kx_get().
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config/settings.h"
#include "internal.h"

#define KSM_PREFIX "ksm/"

/*
 * "ksm/X" is /sys/kernel/mm/ksm/X, anything else is relative to the THP
 * directory.  Async-signal-safe.  Return: 0, or -ENAMETOOLONG.
 */
int kx_sysfs_path(const char *rel, char *buf, size_t len)
{
	bool ksm = kx_sprefix(rel, KSM_PREFIX);

	if (!kx_scpy(buf, len, ksm ? KX_KSM_DIR "/" : KX_THP_DIR "/") ||
	    !kx_scat(buf, len, ksm ? rel + sizeof(KSM_PREFIX) - 1 : rel))
		return -ENAMETOOLONG;
	return 0;
}

/*
 * Turn a sysfs reading into the value to write back: the bracketed word of
 * "always [madvise] never", otherwise the text without trailing white
 * space.  Async-signal-safe.
 */
void kx_choice_word(char *s)
{
	size_t i = 0, j = 0;

	while (s[i] && s[i] != '[')
		i++;
	if (s[i] == '[') {
		for (i++; s[i] && s[i] != ']'; i++)
			s[j++] = s[i];
		s[j] = '\0';
		return;
	}
	j = kx_slen(s);
	while (j && (s[j - 1] == '\n' || s[j - 1] == ' ' || s[j - 1] == '\t'))
		s[--j] = '\0';
}

/*
 * Read the setting at absolute @path as a word.  Async-signal-safe.
 * Return: 0, or -errno (-ENAMETOOLONG if the word does not fit @buf).
 */
int kx_read_setting(const char *path, char *buf, size_t len)
{
	char raw[256];
	ssize_t n = kx_read_file(path, raw, sizeof(raw));

	if (n < 0)
		return (int)n;
	kx_choice_word(raw);
	return kx_scpy(buf, len, raw) ? 0 : -ENAMETOOLONG;
}

static bool ends_with(const char *s, const char *tail)
{
	size_t n = kx_slen(s), m = kx_slen(tail);

	return n >= m && kx_seq(s + n - m, tail);
}

/* The restore rank of the setting at absolute @path (enum kx_rank). */
int kx_rank_of(const char *path)
{
	if (kx_sprefix(path, KX_KSM_DIR "/"))
		return ends_with(path, "/run") ? KX_RANK_KSM_RUN : KX_RANK_KSM;
	if (kx_seq(path, KX_VM_MIN_FREE))
		return KX_RANK_VM;
	if (ends_with(path, "/khugepaged/scan_sleep_millisecs"))
		return KX_RANK_SCAN_SLEEP;
	if (ends_with(path, "/khugepaged/alloc_sleep_millisecs"))
		return KX_RANK_ALLOC_SLEEP;
	if (kx_sprefix(path, KX_THP_DIR "/khugepaged/"))
		return KX_RANK_KHUGEPAGED;
	return KX_RANK_THP;
}

/*
 * May a saved copy on disk name @path?  Only files under the two tunable
 * directories, without "..", and never the non-upstream anon_beside_full;
 * and min_free_kbytes.
 */
bool kx_path_allowed(const char *path)
{
	if (kx_seq(path, KX_VM_MIN_FREE))
		return true;
	if (!kx_sprefix(path, KX_THP_DIR "/") &&
	    !kx_sprefix(path, KX_KSM_DIR "/"))
		return false;
	return !strstr(path, "..") && !strstr(path, "anon_beside_full");
}

/* Stable insertion sort by rank: the order kx_restore_settings() wants. */
void kx_state_sort(struct kx_state *st)
{
	struct kx_saved tmp;
	int i, j;

	for (i = 1; i < st->nr; i++) {
		tmp = st->set[i];
		for (j = i; j > 0 && st->set[j - 1].rank > tmp.rank; j--)
			st->set[j] = st->set[j - 1];
		st->set[j] = tmp;
	}
}

/* Save the current value at @path; a file this kernel lacks is skipped. */
static int capture_path(struct kx_state *st, const char *path, char *err,
			size_t len)
{
	struct kx_saved *s = &st->set[st->nr];
	int ret;

	if (st->nr == KX_MAX_SAVED) {
		snprintf(err, len, "too many settings to save (max %d)",
			 KX_MAX_SAVED);
		return -1;
	}
	if (!kx_scpy(s->path, sizeof(s->path), path)) {
		snprintf(err, len, "setting path too long: %s", path);
		return -1;
	}
	ret = kx_read_setting(s->path, s->value, sizeof(s->value));
	if (ret == -ENOENT)
		return 0;
	if (ret) {
		snprintf(err, len, "cannot read %s: %s", s->path,
			 strerror(-ret));
		return -1;
	}
	s->rank = kx_rank_of(s->path);
	st->nr++;
	return 0;
}

/* Save the setting at @rel, a set path of the scenario language. */
static int capture_one(struct kx_state *st, const char *rel, char *err,
		       size_t len)
{
	char path[KX_PATH_LEN];

	if (kx_sysfs_path(rel, path, sizeof(path))) {
		snprintf(err, len, "setting path too long: %s", rel);
		return -1;
	}
	return capture_path(st, path, err, len);
}

/* Every hugepages-<N>kB/enabled that this kernel has and the table knows. */
static int capture_sizes(struct kx_state *st, char *err, size_t len)
{
	char rel[KX_PATH_LEN];
	struct dirent *de;
	DIR *dir;
	int ret = 0;

	dir = opendir(KX_THP_DIR);
	if (!dir) {
		snprintf(err, len, "cannot open %s: %s", KX_THP_DIR,
			 strerror(errno));
		return -1;
	}
	while (!ret && (de = readdir(dir))) {
		if (strncmp(de->d_name, "hugepages-", 10) ||
		    snprintf(rel, sizeof(rel), "%s/enabled", de->d_name) >=
		    (int)sizeof(rel))
			continue;
		if (setting_lookup(rel, NULL))
			ret = capture_one(st, rel, err, len);
	}
	closedir(dir);
	return ret;
}

/**
 * kx_state_capture() - save every kernel setting of the settings table
 * @st: filled with the current values, sorted in restore order; the
 *      khugepaged gate is not taken for a value (kx_state_sane())
 *
 * Return: 0, or -1 with a reason in @err.
 */
int kx_state_capture(struct kx_state *st, char *err, size_t len)
{
	const struct setting_desc *d;
	int i, ret = 0;

	memset(st, 0, sizeof(*st));
	st->pid = getpid();
	for (i = 0; !ret && i < fsim_nr_settings; i++) {
		d = &fsim_settings[i];
		if (d->model_only)
			continue;
		if (d->per_size)
			ret = capture_sizes(st, err, len);
		else
			ret = capture_one(st, d->path, err, len);
	}
	if (!ret)
		ret = capture_path(st, KX_VM_MIN_FREE, err, len);
	kx_state_sort(st);
	if (!ret)
		kx_state_sane(st, "the current settings");
	return ret;
}

static const struct kx_saved *find_saved(const struct kx_state *st,
					 const char *path)
{
	int i;

	for (i = 0; i < st->nr; i++)
		if (!strcmp(st->set[i].path, path))
			return &st->set[i];
	return NULL;
}

int kx_set(struct kx_guard *g, const char *path, const char *value,
	   char *err, size_t len)
{
	char abs[KX_PATH_LEN];
	int ret;

	if (!g || !g->active) {
		snprintf(err, len, "cannot set %s: the guard is not open",
			 path);
		return -1;
	}
	if (kx_sysfs_path(path, abs, sizeof(abs)) ||
	    !find_saved(&g->st, abs)) {
		snprintf(err, len,
			 "cannot set %s: not a saved setting on this kernel",
			 path);
		return -1;
	}
	ret = kx_write_file(abs, value);
	if (ret) {
		snprintf(err, len, "cannot set %s to %s: %s", path, value,
			 strerror(-ret));
		return -1;
	}
	return 0;
}

int kx_get(const char *path, char *buf, size_t buflen, char *err, size_t len)
{
	char abs[KX_PATH_LEN];
	int ret;

	if (kx_sysfs_path(path, abs, sizeof(abs))) {
		snprintf(err, len, "setting path too long: %s", path);
		return -1;
	}
	ret = kx_read_setting(abs, buf, buflen);
	if (ret) {
		snprintf(err, len, "cannot read %s: %s", abs, strerror(-ret));
		return -1;
	}
	return 0;
}
