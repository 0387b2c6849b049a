// SPDX-License-Identifier: GPL-2.0-only
/*
 * Setting up and tearing down a kernel run: the default tunables, the
 * zero-page probe, the trace instance, swap, the controller's own THP and
 * reaping settings, the actors' command area, the keeper mm, the
 * khugepaged gate and the vmstat baseline; and 'set PATH VALUE'.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "host/guard.h"
#include "host/internal.h"
#include "exec_internal.h"
#include "config/settings.h"
#include "host/tracefs.h"
#include "zero_page.h"
#include "host/zram.h"

#define SCAN_SLEEP	"khugepaged/scan_sleep_millisecs"
#define ALLOC_SLEEP	"khugepaged/alloc_sleep_millisecs"

/*
 * Settings the executor owns: the two sleeps are the khugepaged gate
 * (and the model's sleeps take no time), ksm/run is 'ksm N'.  A scenario
 * setting them is ignored, as the model ignores them.
 */
static bool gate_owned(const char *path)
{
	return !strcmp(path, SCAN_SLEEP) || !strcmp(path, ALLOC_SLEEP) ||
	       !strcmp(path, "ksm/run");
}

static bool is_enabled_file(const char *path)
{
	size_t n = strlen(path);

	return !strcmp(path, "enabled") ||
	       (n > 8 && !strcmp(path + n - 8, "/enabled"));
}

static int setup_error(struct kx_exec *x, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int setup_error(struct kx_exec *x, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	exec_op_verror(x->r, x->s, NULL, "kernel: ", fmt, ap);
	va_end(ap);
	x->r->status = EXEC_CANNOT_RUN;
	return -1;
}

/* {========== default tunables ==========} */

/* Write the model's default of @rel if the kernel has it and differs. */
static int set_default(struct kx_exec *x, const struct thp_settings *def,
		       const char *rel)
{
	char want[64], cur[64], err[160];

	if (setting_format(def, rel, want, sizeof(want)) ||
	    kx_get(rel, cur, sizeof(cur), err, sizeof(err)))
		return 0;	/* not a file this kernel has */
	if (!strcmp(cur, want))
		return 0;
	if (kx_set(x->g, rel, want, x->err, sizeof(x->err)))
		return setup_error(x, "%s", x->err);
	return 0;
}

static int set_size_defaults(struct kx_exec *x,
			     const struct thp_settings *def)
{
	char rel[128];
	struct dirent *de;
	DIR *d = opendir(KX_THP_DIR);
	int ret = 0;

	while (!ret && d && (de = readdir(d))) {
		if (strncmp(de->d_name, "hugepages-", 10) ||
		    snprintf(rel, sizeof(rel), "%s/enabled", de->d_name) >=
		    (int)sizeof(rel) || !setting_lookup(rel, NULL))
			continue;
		ret = set_default(x, def, rel);
	}
	if (d)
		closedir(d);
	return ret;
}

/*
 * Every kernel setting of the table to the model's default, so that a
 * run starts where the model starts; alloc_sleep_millisecs to 0, because
 * the model's sleeps take no time (and an allocation-failure sleep would
 * look like the end of a pass).
 */
static int set_defaults(struct kx_exec *x)
{
	struct thp_settings def;
	int i;

	settings_init_defaults(&def);
	for (i = 0; i < fsim_nr_settings; i++) {
		const struct setting_desc *d = &fsim_settings[i];

		if (d->model_only || !strcmp(d->path, SCAN_SLEEP) ||
		    !strcmp(d->path, ALLOC_SLEEP))
			continue;
		if (d->per_size ? set_size_defaults(x, &def) :
				  set_default(x, &def, d->path))
			return -1;
	}
	if (kx_set(x->g, ALLOC_SLEEP, KX_GATE_ALLOC_SLEEP, x->err,
		   sizeof(x->err)))
		return setup_error(x, "%s", x->err);
	return 0;
}

/* {========== the controller, the keeper ==========} */

static bool pages_out(const struct scn_scenario *s)
{
	int i;

	for (i = 0; i < s->nr_ops; i++)
		if (s->ops[i].kind == SCN_MADVISE &&
		    s->ops[i].advice == SCN_ADV_PAGEOUT)
			return true;
	return false;
}

/*
 * The controller becomes the subreaper of the actors (orphans come back
 * to it) and keeps THPs out of its own memory (the actors undo that).
 */
static void controller_prctl(struct kx_exec *x)
{
	x->old_subreaper = 0;
	prctl(PR_GET_CHILD_SUBREAPER, &x->old_subreaper, 0, 0, 0);
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	x->old_thp_disable = prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0);
	if (!x->old_thp_disable)
		prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
	x->prctl_done = true;
}

static void controller_restore(struct kx_exec *x)
{
	if (!x->prctl_done)
		return;
	x->prctl_done = false;
	if (!x->old_thp_disable)
		prctl(PR_SET_THP_DISABLE, 0, 0, 0, 0);
	if (!x->old_subreaper)
		prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
}

static int keeper_call(struct kx_exec *x, struct kx_cmd *c)
{
	if (kx_actor_call(x->act, x->keeper, c, x->err, sizeof(x->err)))
		return setup_error(x, "keeper: %s", x->err);
	if (c->err)
		return setup_error(x, "keeper: %s", strerror(c->err));
	return 0;
}

/*
 * The keeper: a process whose mm stays registered with khugepaged for the
 * whole run (so no registration on an empty list wakes khugepaged), with
 * a PMD-mapped THP that khugepaged's scan skips without counting events
 * and that, every page written, 'shrink' does not split as underused.
 */
static int start_keeper(struct kx_exec *x)
{
	struct kx_cmd map = { .op = KX_CMD_MMAP, .addr = KX_KEEPER_ADDR,
			      .len = SCN_PMD_SIZE };
	struct kx_cmd adv = { .op = KX_CMD_MADVISE, .addr = KX_KEEPER_ADDR,
			      .len = SCN_PMD_SIZE, .arg = SCN_ADV_HUGEPAGE };
	struct kx_cmd touch = { .op = KX_CMD_WRITE, .addr = KX_KEEPER_ADDR,
				.npages = SCN_PMD_SIZE / SCN_PAGE_SIZE };
	struct kx_cmd collapse = { .op = KX_CMD_MADVISE,
				   .addr = KX_KEEPER_ADDR,
				   .len = SCN_PMD_SIZE,
				   .arg = SCN_ADV_COLLAPSE };
	pid_t pid;
	uint64_t *data;
	unsigned long i;

	if (kx_actor_spawn(x->act, x->keeper, x->err, sizeof(x->err)))
		return setup_error(x, "keeper: %s", x->err);
	/* every page written: the underused-THP shrinker leaves it alone */
	data = kx_actor_data(x->act, x->keeper);
	for (i = 0; i < touch.npages; i++)
		data[i] = KX_UNIQUE_TAG;
	if (keeper_call(x, &map) || keeper_call(x, &adv) ||
	    keeper_call(x, &touch))
		return -1;
	/* a keeper PMD left to collapse would cost the run vmstat events */
	pid = kx_actor_pid(x->act, x->keeper);
	if (!kx_pmd_mapped(pid, KX_KEEPER_ADDR) && keeper_call(x, &collapse))
		return -1;
	if (!kx_pmd_mapped(pid, KX_KEEPER_ADDR))
		return setup_error(x, "keeper: no PMD-mapped THP at %#lx",
				   KX_KEEPER_ADDR);
	return 0;
}

/* {========== setup, teardown ==========} */

/* Only --trace reads the trace: other runs go on without tracefs. */
static bool needs_trace(const struct kx_exec *x)
{
	return x->o.trace != NULL || x->o.scans;
}

/*
 * The trace instance, wherever tracefs is mounted or can be mounted: a run
 * that does not need it goes on without it.
 */
static int setup_trace(struct kx_exec *x)
{
	if (kx_trace_dir(x->g))
		return kx_trace_clear(x->g) ?
			       setup_error(x, "cannot clear the trace: %s",
					   strerror(errno)) : 0;
	if (kx_trace_open(x->g, x->err, sizeof(x->err)) && needs_trace(x))
		return setup_error(x, "%s", x->err);
	return 0;
}

static int setup_actors(struct kx_exec *x)
{
	x->keeper = x->s->nr_procs;
	x->pat = calloc((size_t)x->s->nr_procs + 1, sizeof(*x->pat));
	if (!x->pat)
		return setup_error(x, "out of memory");
	x->act = kx_actors_new(x->g, x->s->nr_procs + 1, x->err,
			       sizeof(x->err));
	if (!x->act)
		return setup_error(x, "%s", x->err);
	x->ob = kx_observe_new(x->s, kx_actor_pids(x->act), x->err,
			       sizeof(x->err));
	if (!x->ob)
		return setup_error(x, "%s", x->err);
	return 0;
}

/* What read faults map on this kernel (probed once per guard). */
static int probe_zero_page(struct kx_exec *x)
{
	struct kx_zero_page z;

	if (kx_zero_probe(x->g, &z, x->err, sizeof(x->err)))
		return setup_error(x, "%s", x->err);
	x->r->zero_probed = true;
	x->r->zero_page = z.small;
	x->r->huge_zero_page = z.huge;
	return 0;
}

int kx_exec_setup(struct kx_exec *x)
{
	if (kx_pagemap_scan_check(x->err, sizeof(x->err)))
		return setup_error(x, "%s", x->err);
	if (set_defaults(x) || probe_zero_page(x) || setup_trace(x))
		return -1;
	if (needs_trace(x) && kx_trace_begin(x))
		return setup_error(x, "out of memory");
	if (pages_out(x->s) &&
	    kx_swap_ensure(x->g, x->err, sizeof(x->err)) < 0)
		return setup_error(x, "%s", x->err);
	controller_prctl(x);
	if (setup_actors(x) || start_keeper(x))
		return -1;
	if (kx_gate_close(x->g, &x->kh, x->err, sizeof(x->err)))
		return setup_error(x, "%s", x->err);
	if (x->tr) {
		/* the keeper's mm, so that its scans can be left out */
		if (kx_trace_probe(x, x->keeper))
			return setup_error(x, "keeper: %s", x->err);
		kx_trace_learn(x);
	}
	if (kx_observe_baseline(x->ob, x->err, sizeof(x->err)))
		return setup_error(x, "%s", x->err);
	/* the events of the set-up are not the run's */
	kx_trace_clear(x->g);
	return 0;
}

/*
 * Leave no KSM state behind: once the actors are gone their KSM pages are
 * freed, but stale stable nodes keep ksm/pages_shared above zero until
 * ksmd runs, and the kernel refuses ksm/max_page_sharing changes (EBUSY)
 * meanwhile.  run=2 removes every stable node; the guard puts run back.
 */
static void ksm_forget(struct kx_exec *x)
{
	char buf[32], err[160];

	if (kx_read_file("/sys/kernel/mm/ksm/pages_shared", buf,
			 sizeof(buf)) > 0 && strtoul(buf, NULL, 10) > 0 &&
	    !kx_set(x->g, "ksm/run", "2", err, sizeof(err)))
		kx_set(x->g, "ksm/run", "0", err, sizeof(err));
}

void kx_exec_teardown(struct kx_exec *x)
{
	int i;

	kx_actors_free(x->act);
	x->act = NULL;
	kx_trace_end(x);
	ksm_forget(x);
	controller_restore(x);
	kx_observe_free(x->ob);
	x->ob = NULL;
	for (i = 0; x->pat && i < x->s->nr_procs; i++)
		kx_pat_free(x->pat[i]);
	free(x->pat);
	x->pat = NULL;
}

/* {========== set PATH VALUE ==========} */

enum exec_status kx_exec_set(struct kx_exec *x, const struct scn_op *op)
{
	if (!strncmp(op->path, "model/", 6) || gate_owned(op->path))
		return EXEC_OK;
	if (is_enabled_file(op->path) ?
		    kx_set_enabled(x->g, &x->kh, op->path, op->setval, x->err,
				   sizeof(x->err)) :
		    kx_set(x->g, op->path, op->setval, x->err,
			   sizeof(x->err)))
		return kx_exec_error(x, op, EXEC_BAD_INPUT, "%s", x->err);
	return EXEC_OK;
}
