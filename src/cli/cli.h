/* SPDX-License-Identifier: GPL-2.0-only */
/* Subcommands of the foliosim command line (one file each). */
#ifndef FSIM_CLI_CLI_H
#define FSIM_CLI_CLI_H

#include <stdbool.h>
#include <stdio.h>

struct cli_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
	const char *usage;	/* full help text */
};

extern const struct cli_cmd cli_cmds[];
extern const int cli_nr_cmds;

int cmd_run(int argc, char **argv);
int cmd_fmt(int argc, char **argv);
int cmd_help(int argc, char **argv);
int cmd_explore(int argc, char **argv);
int cmd_kernel(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_mutate(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_demo(void);
int cmd_snapshot(int argc, char **argv);
int cmd_whatif(int argc, char **argv);
int cmd_export(int argc, char **argv);
/* Help texts kept beside their commands. */
extern const char snapshot_usage[], whatif_usage[], export_usage[];

/* A suite of scenario files (suite.c). */
struct cli_suite {
	char **files;
	int nr, cap;
};
/* Add a file, or every *.fsim under a directory (sorted); 0 or 2. */
int cli_suite_add(struct cli_suite *s, const char *arg);
void cli_suite_free(struct cli_suite *s);
struct scn_scenario;
/*
 * Parse and validate the scenario file @path into @s, printing the
 * "file:line:col: ..." message on failure; 0, or 2 (nothing to free).
 */
int cli_load(const char *path, struct scn_scenario *s);

/* Check one profile name, printing why it is bad; 0 or 2 (profile_arg.c). */
int cli_profile(const char *name);
/* "all" or "a,b,c" (split in place) into @out; the count, or -2. */
int cli_profile_list(char *arg, const char **out, int max);

/* Print usage of @name (or the overview) to @f. */
void cli_usage(FILE *f, const char *name);
/* Lowercase message, problem first; returns 2 (bad usage). */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
