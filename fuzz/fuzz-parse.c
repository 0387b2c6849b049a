// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target for the scenario parser: any bytes must parse or fail
 * with one message, never crash or leak; whatever parses must print as
 * text that parses again to the same op list.  Build with "make fuzz".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The error must be one line naming "fuzz:LINE:COL: ". */
static void check_error(const char *err)
{
	if (strncmp(err, "fuzz:", 5) || strchr(err, '\n'))
		abort();
}

/* Print @s, parse the text again and demand the same op list. */
static void check_round_trip(const struct scn_scenario *s)
{
	struct scn_scenario again;
	char err[256], *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		abort();
	scn_print(f, s);
	fclose(f);
	if (scn_parse("printed", text, len, &again, err, sizeof(err))) {
		fprintf(stderr, "reparse failed: %s\n--\n%s--\n", err, text);
		abort();
	}
	if (!scn_equal(s, &again)) {
		fprintf(stderr, "op lists differ after printing:\n%s--\n",
			text);
		abort();
	}
	scn_free(&again);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scn_scenario s;
	char err[256];

	if (scn_parse("fuzz", (const char *)data, size, &s, err,
		      sizeof(err))) {
		check_error(err);
		return 0;
	}
	check_round_trip(&s);
	scn_free(&s);
	return 0;
}
