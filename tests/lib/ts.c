// SPDX-License-Identifier: GPL-2.0-only
/* Helpers for the scenario-language tests (see ts.h). */
#include <stdio.h>
#include <string.h>

#include "ts.h"

bool ts_parse(const char *text, struct scn_scenario *s)
{
	char err[256];

	if (!scn_parse("t.fsim", text, strlen(text), s, err, sizeof(err)))
		return true;
	printf("# unexpected error: %s\n", err);
	return false;
}
