// SPDX-License-Identifier: GPL-2.0-only
/*
 * Scenario suites on the command line: files, and directories searched
 * recursively for *.fsim, in sorted order so that every listing of a
 * suite is the same.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

static int add(struct cli_suite *s, const char *path)
{
	char **p;

	if (s->nr == s->cap) {
		int cap = s->cap ? 2 * s->cap : 64;

		p = realloc(s->files, (size_t)cap * sizeof(*p));
		if (!p)
			return -1;
		s->files = p;
		s->cap = cap;
	}
	s->files[s->nr] = strdup(path);
	return s->files[s->nr++] ? 0 : -1;
}

static bool is_fsim(const char *name)
{
	size_t n = strlen(name);

	return n > 5 && !strcmp(name + n - 5, ".fsim");
}

static int walk(struct cli_suite *s, const char *dir)
{
	struct dirent *e;
	DIR *d = opendir(dir);
	int err = 0;

	if (!d)
		return -1;
	while (!err && (e = readdir(d))) {
		struct stat st;
		char *path;

		if (e->d_name[0] == '.')
			continue;
		if (asprintf(&path, "%s/%s", dir, e->d_name) < 0)
			err = -1;
		else if (!stat(path, &st) && S_ISDIR(st.st_mode))
			err = walk(s, path);
		else if (is_fsim(e->d_name))
			err = add(s, path);
		free(path);
	}
	closedir(d);
	return err;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int cli_suite_add(struct cli_suite *s, const char *arg)
{
	struct stat st;
	int first = s->nr, err;

	if (stat(arg, &st))
		return cli_error("cannot read %s", arg);
	if (!S_ISDIR(st.st_mode))
		return add(s, arg) ? cli_error("out of memory") : 0;
	err = walk(s, arg);
	if (err)
		return cli_error("cannot read the directory %s", arg);
	qsort(s->files + first, (size_t)(s->nr - first), sizeof(*s->files),
	      cmp_str);
	return 0;
}

void cli_suite_free(struct cli_suite *s)
{
	int i;

	for (i = 0; i < s->nr; i++)
		free(s->files[i]);
	free(s->files);
	memset(s, 0, sizeof(*s));
}
