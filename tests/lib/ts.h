/* SPDX-License-Identifier: GPL-2.0-only */
/* Helpers for the scenario-language tests (t5xxx). */
#ifndef FSIM_TESTS_TS_H
#define FSIM_TESTS_TS_H

#include <stdbool.h>

#include "scenario/scenario.h"

/* Parse @text as "t.fsim"; print the error as a TAP comment. */
bool ts_parse(const char *text, struct scn_scenario *s);

#endif
