// SPDX-License-Identifier: GPL-2.0-only
/*
 * A model run that also keeps the map of every region at the end, for
 * pictures of scenarios that have no "show" statement.  The maps are taken
 * before the run is finished (finish() releases the machine).  A region
 * where nothing is mapped has no map.
 */
#include <stdlib.h>
#include <string.h>

#include "exec.h"

enum exec_status exec_model_maps(const struct scn_scenario *s,
				 const struct exec_model_opts *o,
				 struct exec_result *r, char ***maps)
{
	const struct exec_observer *obs;
	struct exec_run run;
	int i, p, g, n = s->nr_procs * s->nr_regions;

	*maps = NULL;
	if (exec_model_begin(s, o, r, &run))
		return r->status;
	for (i = 0; i < s->nr_ops; i++)
		if (run.ops->step(run.x, i) != EXEC_OK)
			break;
	*maps = calloc((size_t)n + 1, sizeof(**maps));
	obs = run.ops->observer(run.x);
	for (p = 0; *maps && p < s->nr_procs; p++)
		for (g = 0; obs->alive(obs->ctx, p) && g < s->nr_regions; g++)
			(*maps)[p * s->nr_regions + g] = exec_map(s, obs, p, g);
	/* a region where nothing is mapped (any more) has no map */
	for (i = 0; *maps && i < n; i++)
		if ((*maps)[i] && !(*maps)[i][strspn((*maps)[i], ".")]) {
			free((*maps)[i]);
			(*maps)[i] = NULL;
		}
	return run.ops->finish(run.x);
}

void exec_maps_free(const struct scn_scenario *s, char **maps)
{
	int i;

	for (i = 0; maps && i < s->nr_procs * s->nr_regions; i++)
		free(maps[i]);
	free(maps);
}
