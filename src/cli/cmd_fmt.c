// SPDX-License-Identifier: GPL-2.0-only
/* foliosim fmt FILE...: parse and print back in canonical form. */
#include <stdio.h>

#include "cli.h"
#include "scenario/scenario.h"

int cmd_fmt(int argc, char **argv)
{
	struct scn_scenario s;
	char err[512];
	int i, st = 0;

	if (argc < 2)
		return cli_error("fmt needs at least one scenario file");
	for (i = 1; i < argc; i++) {
		if (scn_parse_file(argv[i], &s, err, sizeof(err))) {
			fprintf(stderr, "%s\n", err);
			st = 2;
			continue;
		}
		scn_print(stdout, &s);
		scn_free(&s);
	}
	return st;
}
