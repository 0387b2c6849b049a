// SPDX-License-Identifier: GPL-2.0-only
/*
 * Confirming a killer on the live kernel, as 'foliosim kernel' runs a
 * file: the test lock (kernel tests take turns with us), the guard (which
 * takes the run lock and puts every setting back), one exec_kernel() run.
 * The locks are held for one candidate only, so a waiting test or run is
 * not kept out for the whole search.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exec/exec.h"
#include "kernel/exec_kernel.h"
#include "host/guard.h"
#include "synth.h"

#define GUARD_WAIT_S	600
#define LOCK_GAP_US	5000

/* The first expectation that failed, as "line N: statement: got X". */
static void first_failure(const struct scn_scenario *s,
			  const struct exec_result *r, char *why, size_t len)
{
	int i;

	for (i = 0; i < r->nr_expects; i++) {
		const struct exec_expect *e = &r->expects[i];
		char *st = NULL;
		size_t n = 0;
		FILE *f;

		if (e->passed)
			continue;
		f = open_memstream(&st, &n);
		if (f) {
			scn_print_op(f, s, &s->ops[e->op]);
			fclose(f);
		}
		snprintf(why, len, "line %d: %s: got %s", s->ops[e->op].line,
			 st ? st : "?", e->got);
		free(st);
		return;
	}
	snprintf(why, len, "%s", r->error[0] ? r->error : "the run failed");
}

int synth_kernel_confirm(void *ctx, const char *text, char *release,
			 size_t rlen, char *why, size_t wlen)
{
	struct scn_scenario s;
	struct exec_result r;
	struct kx_guard *g;
	enum exec_status st;
	int lock, ret;

	(void)ctx;
	if (scn_parse("<killer>", text, strlen(text), &s, why, wlen))
		return -1;
	lock = kx_test_lock(why, wlen);
	if (lock < 0 || kx_guard_open_wait(&g, GUARD_WAIT_S, why, wlen)) {
		if (lock >= 0)
			close(lock);
		scn_free(&s);
		return -1;
	}
	st = exec_kernel(&s, g, NULL, &r);
	snprintf(release, rlen, "%s", r.release);
	ret = st == EXEC_OK ? 1 : st == EXEC_FAILED || st == EXEC_DATA_LOST ?
								  0 : -1;
	if (st != EXEC_OK)
		first_failure(&s, &r, why, wlen);
	exec_result_free(&r);
	if (kx_guard_close(g)) {
		snprintf(why, wlen, "the guard could not undo a run");
		ret = -1;
	}
	close(lock);
	usleep(LOCK_GAP_US);	/* a waiting kernel test goes first */
	scn_free(&s);
	return ret;
}
