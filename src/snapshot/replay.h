/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Rebuild a snapshot in the model through its public syscalls (faults
 * under chosen settings, fork, MADV_DONTNEED, MADV_PAGEOUT, mprotect), so
 * that every mapcount, MM_ID slot and rmap field comes out of the model's
 * own code and the invariant checker holds.  docs/snapshot.md says what
 * this decides that userspace could not see.
 */
#ifndef FSIM_SNAPSHOT_REPLAY_H
#define FSIM_SNAPSHOT_REPLAY_H

#include "model/model.h"
#include "snapshot.h"

struct snap_model {
	struct fsim_machine *m;
	struct mm_struct **mms;		/* per snapshot process */
	int *parent;			/* per process: forked from, or -1 */
	long degraded;			/* large folios rebuilt as small pages */
	long missed;			/* pages not rebuilt as recorded */
};

/*
 * Load @s into a new machine under @profile (NULL: default): the
 * snapshot's settings, then @sets ("PATH=VALUE") on top.  0, or -1 with
 * a message in @err.
 */
int snap_replay(const struct snapshot *s, const char *profile,
		const char *const *sets, int nr_sets, struct snap_model *out,
		char *err, size_t errlen);
void snap_model_free(struct snap_model *sm);

#endif
