// SPDX-License-Identifier: GPL-2.0-only
/*
 * Finding scenario files: every *.fsim below a directory, in sorted order
 * so that every listing of a suite is the same (the command line's
 * suites, the scenario tests, the benchmarks).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "scenario.h"

static bool is_fsim(const char *name)
{
	size_t n = strlen(name);

	return n > 5 && !strcmp(name + n - 5, ".fsim");
}

/* Take @path (NULL: out of memory) into @l. */
static int push(struct scn_files *l, char *path)
{
	char **v;

	if (!path)
		return -1;
	if (l->nr == l->cap) {
		int cap = l->cap ? 2 * l->cap : 64;

		v = realloc(l->files, (size_t)cap * sizeof(*v));
		if (!v) {
			free(path);
			return -1;
		}
		l->files = v;
		l->cap = cap;
	}
	l->files[l->nr++] = path;
	return 0;
}

static int walk(struct scn_files *l, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int err = 0;

	if (!d)
		return -1;
	while (!err && (e = readdir(d))) {
		struct stat st;
		char *path;

		if (e->d_name[0] == '.')
			continue;
		if (asprintf(&path, "%s/%s", dir, e->d_name) < 0) {
			errno = ENOMEM;
			err = -1;
		} else if (!stat(path, &st) && S_ISDIR(st.st_mode)) {
			err = walk(l, path);
			free(path);
		} else if (is_fsim(e->d_name)) {
			err = push(l, path);
		} else {
			free(path);
		}
	}
	closedir(d);
	return err;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int scn_find_files(struct scn_files *l, const char *dir)
{
	int first = l->nr, err = walk(l, dir);

	if (l->nr > first)
		qsort(l->files + first, (size_t)(l->nr - first),
		      sizeof(*l->files), cmp_str);
	return err;
}

void scn_files_free(struct scn_files *l)
{
	int i;

	for (i = 0; i < l->nr; i++)
		free(l->files[i]);
	free(l->files);
	memset(l, 0, sizeof(*l));
}
