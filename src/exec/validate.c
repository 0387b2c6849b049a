// SPDX-License-Identifier: GPL-2.0-only
/*
 * Checks of a parsed scenario that need the executors' knowledge: the
 * parser accepts any well-formed name in expect[...], but a name that is
 * neither a profile nor "kernel" would silently never apply.
 */
#include <stdio.h>
#include <string.h>

#include "exec.h"
#include "config/profile.h"

int exec_validate(const struct scn_scenario *s, char *err, size_t len)
{
	int i, k;

	for (i = 0; i < s->nr_ops; i++) {
		const struct scn_op *op = &s->ops[i];

		for (k = 0; k < op->nr_profiles; k++) {
			if (profile_valid(op->profiles[k]) ||
			    !strcmp(op->profiles[k], "kernel"))
				continue;
			snprintf(err, len,
				 "%s:%d:%d: unknown profile '%s' in expect[...] "
				 "(profiles: v6.9 v6.10 v6.15 v6.18 kernel)",
				 s->path, op->line, op->col, op->profiles[k]);
			return -1;
		}
	}
	return 0;
}
