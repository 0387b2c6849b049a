// SPDX-License-Identifier: GPL-2.0-only
/*
 * Checks of a parsed scenario that need the executors' knowledge: the
 * parser accepts any well-formed name in expect[...], but a name that is
 * neither a profile nor "kernel" would silently never apply.  And the
 * command line's "--set PATH=VALUE", checked before anything runs.
 */
#include <stdio.h>
#include <string.h>

#include "exec.h"
#include "config/profile.h"
#include "config/settings.h"

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

int exec_set_split(const char *arg, char *path, size_t pathlen,
		   const char **value, char *err, size_t len)
{
	const char *eq = strchr(arg, '=');
	size_t n = eq ? (size_t)(eq - arg) : 0;

	if (!eq || !n || n >= pathlen) {
		snprintf(err, len, "--set %s: expected PATH=VALUE", arg);
		return -1;
	}
	memcpy(path, arg, n);
	path[n] = 0;
	*value = eq + 1;
	return 0;
}

int exec_set_check(const char *arg, char *err, size_t len)
{
	char path[128], why[160];
	const char *value;

	if (exec_set_split(arg, path, sizeof(path), &value, err, len))
		return -1;
	if (setting_check(path, value, why, sizeof(why))) {
		snprintf(err, len, "--set %s: %s", arg, why);
		return -1;
	}
	return 0;
}
