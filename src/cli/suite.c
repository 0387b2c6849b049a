// SPDX-License-Identifier: GPL-2.0-only
/*
 * Scenario suites on the command line: files, and directories searched
 * recursively for *.fsim, in sorted order so that every listing of a
 * suite is the same; and loading one scenario file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "exec/exec.h"
#include "scenario/scenario.h"

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

int cli_suite_add(struct cli_suite *s, const char *arg)
{
	struct scn_files l = { 0 };
	struct stat st;
	int i, err;

	if (stat(arg, &st))
		return cli_error("cannot read %s", arg);
	if (!S_ISDIR(st.st_mode))
		return add(s, arg) ? cli_error("out of memory") : 0;
	err = scn_find_files(&l, arg);
	for (i = 0; !err && i < l.nr; i++)
		err = add(s, l.files[i]);
	scn_files_free(&l);
	if (err)
		return cli_error("cannot read the directory %s", arg);
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

int cli_load(const char *path, struct scn_scenario *s)
{
	char err[512];

	if (scn_parse_file(path, s, err, sizeof(err)))
		goto bad;
	if (!exec_validate(s, err, sizeof(err)))
		return 0;
	scn_free(s);
bad:
	fprintf(stderr, "%s\n", err);
	return 2;
}
