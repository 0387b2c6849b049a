// SPDX-License-Identifier: GPL-2.0-only
/*
 * The settings a run restores must be the machine's own.  The khugepaged
 * gate (KX_GATE_SCAN_SLEEP, with KX_GATE_ALLOC_SLEEP) is a run's: found
 * at capture time it was left by a run that is gone without undoing it
 * (an exported kselftest killed by SIGKILL keeps no saved copy) or is
 * applied by one that holds no lock; found in a saved copy, that copy was
 * captured so.  Restoring it would park khugepaged for good, so the
 * settings table's defaults are restored instead, and stderr says so.
 */
#include <stdio.h>
#include <string.h>

#include "config/settings.h"
#include "internal.h"

#define SCAN_SLEEP	"khugepaged/scan_sleep_millisecs"
#define ALLOC_SLEEP	"khugepaged/alloc_sleep_millisecs"

static struct kx_saved *find_rel(struct kx_state *st, const char *rel)
{
	char path[KX_PATH_LEN];
	int i;

	if (kx_sysfs_path(rel, path, sizeof(path)))
		return NULL;
	for (i = 0; i < st->nr; i++)
		if (!strcmp(st->set[i].path, path))
			return &st->set[i];
	return NULL;
}

/* Put the table's default for @rel into @s, and say why. */
static void replace(struct kx_saved *s, const char *rel, const char *whose)
{
	struct thp_settings def;
	char value[KX_VALUE_LEN];

	settings_init_defaults(&def);
	if (setting_format(&def, rel, value, sizeof(value)))
		return;
	fprintf(stderr, "foliosim: %s: %s %s is the khugepaged gate of a "
		"foliosim run or exported test, not this machine's setting: "
		"restoring the default %s instead\n", whose, rel, s->value, value);
	snprintf(s->value, sizeof(s->value), "%s", value);
}

/**
 * kx_state_sane() - refuse the khugepaged gate as a setting to restore
 * @st: captured or loaded settings
 * @whose: where they come from, for the message ("the current settings")
 *
 * scan_sleep_millisecs at KX_GATE_SCAN_SLEEP becomes its default, and so
 * does alloc_sleep_millisecs at KX_GATE_ALLOC_SLEEP next to it (alone, 0
 * is a choice a person may make).  Return: the number replaced.
 */
int kx_state_sane(struct kx_state *st, const char *whose)
{
	struct kx_saved *scan = find_rel(st, SCAN_SLEEP);
	struct kx_saved *alloc = find_rel(st, ALLOC_SLEEP);
	int n = 0;

	if (!scan || strcmp(scan->value, KX_GATE_SCAN_SLEEP))
		return 0;
	replace(scan, SCAN_SLEEP, whose);
	n++;
	if (alloc && !strcmp(alloc->value, KX_GATE_ALLOC_SLEEP)) {
		replace(alloc, ALLOC_SLEEP, whose);
		n++;
	}
	return n;
}
