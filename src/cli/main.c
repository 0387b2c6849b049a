// SPDX-License-Identifier: GPL-2.0-only
/*
 * foliosim: entry point.  Subcommands come from one table (also used by
 * the help text); "foliosim CMD --help" is "foliosim help CMD"; with no
 * arguments the built-in demo runs.  Stdout is checked at exit so that a
 * full disk turns into a non-zero status instead of a cut-short report.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

int cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("foliosim: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 2;
}

static const struct cli_cmd *find_cmd(const char *name)
{
	int i;

	for (i = 0; i < cli_nr_cmds; i++)
		if (!strcmp(cli_cmds[i].name, name))
			return &cli_cmds[i];
	return NULL;
}

static int finish(int status)
{
	if (fflush(stdout) || ferror(stdout)) {
		if (errno != EPIPE)
			fprintf(stderr, "foliosim: cannot write output: %s\n",
				strerror(errno));
		return status ? status : 2;
	}
	return status;
}

int main(int argc, char **argv)
{
	const struct cli_cmd *cmd;
	int i;

	if (argc < 2)
		return finish(cmd_demo());
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return finish(cmd_help(1, argv));
	cmd = find_cmd(argv[1]);
	if (!cmd)
		return cli_error("unknown command '%s' (see foliosim --help)",
				 argv[1]);
	for (i = 2; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			char *h[] = { "help", argv[1], NULL };

			return finish(cmd_help(2, h));
		}
	return finish(cmd->fn(argc - 1, argv + 1));
}
