/* SPDX-License-Identifier: GPL-2.0-only */
/* Options of "foliosim run" and the helper that runs one scenario. */
#ifndef FSIM_CLI_RUN_H
#define FSIM_CLI_RUN_H

#include <stdbool.h>

#include "exec/exec.h"
#include "scenario/scenario.h"

#define RUN_MAX_PROFILES 8

struct run_opts {
	const char *profiles[RUN_MAX_PROFILES];
	int nr_profiles;
	int shared_pred;		/* -1: the profile's */
	bool json, check, color, trace, why;
	bool cost;			/* --cost: mapcount atomics */
	const char **sets;		/* "PATH=VALUE" */
	int nr_sets;
	struct exec_force *forces;	/* --force POINT=true|false */
	int nr_forces;
	const char **files;
	int nr_files;
	const char *svg;		/* --svg FILE: the maps as a picture */
};

/* Parse options; 0 or -2 after printing the problem.  Free with below. */
int run_parse_opts(int argc, char **argv, struct run_opts *o);
void run_free_opts(struct run_opts *o);
/* Run @s under every profile of @o, print the report, return the status */
int run_scenario(const struct scn_scenario *s, const struct run_opts *o);

#endif
