// SPDX-License-Identifier: GPL-2.0-only
/*
 * --profile arguments: "all", or a comma-separated list of "ERA[+MOD...]".
 * The list is split in place so the names stay valid for the whole run.
 */
#include <string.h>

#include "cli/cli.h"
#include "config/profile.h"

int cli_profile(const char *name)
{
	struct fsim_profile p;
	char err[160];

	if (!name || !*name)
		return cli_error("--profile needs a value");
	if (profile_resolve(name, &p, err, sizeof(err)))
		return cli_error("%s (see foliosim help profiles)", err);
	return 0;
}

int cli_profile_list(char *arg, const char **out, int max)
{
	char *save = NULL, *tok;
	int n = 0, i;

	if (!arg)
		return -cli_error("--profile needs a value");
	if (!strcmp(arg, "all")) {
		for (i = 0; i < fsim_nr_profiles && i < max; i++)
			out[n++] = fsim_profiles[i].name;
		return n;
	}
	for (tok = strtok_r(arg, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (n == max)
			return -cli_error("at most %d profiles", max);
		if (cli_profile(tok))
			return -2;
		out[n++] = tok;
	}
	return n ? n : -cli_error("--profile needs a value");
}
