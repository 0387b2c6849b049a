// SPDX-License-Identifier: GPL-2.0-only
/*
 * "foliosim diff --svg": the maps of the model and of the kernel side by
 * side, for every process and region, in the state where they first
 * differ (the differing pages marked) or at the end when they agree.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "report/svg.h"

struct side_maps {
	char *cells[2];			/* model, kernel */
	unsigned char *marks;
};

/* The map of @p's region @g on one side; all '.' when @p has exited. */
static char *side_map(const struct kx_diff *d, const struct dside *sd,
		      int p, int g)
{
	const struct exec_observer *obs = sd->run.ops->observer(sd->run.x);
	size_t n = d->s->regions[g].size / SCN_PAGE_SIZE;
	char *c;

	if (obs->alive(obs->ctx, p))
		return exec_map(d->s, obs, p, g);
	c = malloc(n + 1);
	if (c) {
		memset(c, CELL_NONE, n);
		c[n] = 0;
	}
	return c;
}

static bool all_none(const char *c)
{
	return !c[strspn(c, ".")];
}

/* Fill @m and @b for (@p, @g); false when nothing is mapped on either. */
static bool build(const struct kx_diff *d, int op, int p, int g,
		  struct side_maps *m, struct svg_map_row b[2])
{
	size_t n = d->s->regions[g].size / SCN_PAGE_SIZE, i;

	m->cells[0] = side_map(d, &d->m, p, g);
	m->cells[1] = side_map(d, &d->k, p, g);
	m->marks = op >= 0 ? calloc(n + 1, 1) : NULL;
	if (!m->cells[0] || !m->cells[1] || (op >= 0 && !m->marks) ||
	    (all_none(m->cells[0]) && all_none(m->cells[1])))
		return false;
	for (i = 0; m->marks && i < n; i++) {
		uint64_t a = d->s->regions[g].addr + i * SCN_PAGE_SIZE;

		m->marks[i] = kx_diff_entry_bad(d, p, a) != 0;
	}
	b[0] = (struct svg_map_row){ d->m.name, m->cells[0], m->marks };
	b[1] = (struct svg_map_row){ d->k.name, m->cells[1], m->marks };
	return true;
}

static void free_maps(struct side_maps *m)
{
	free(m->cells[0]);
	free(m->cells[1]);
	free(m->marks);
	memset(m, 0, sizeof(*m));
}

static void subtitle(const struct kx_diff *d, int op, char *buf, size_t len)
{
	if (op < 0)
		snprintf(buf, len, "%s and kernel %s agree after every "
			 "statement; the state at the end", d->m.name,
			 d->k.r.release);
	else
		snprintf(buf, len, "%s and kernel %s first differ after "
			 "line %d: %s", d->m.name, d->k.r.release,
			 d->s->ops[op].line, d->s->ops[op].text);
}

int kx_diff_svg(const struct kx_diff *d, int op, const char *path)
{
	int n = d->s->nr_procs * d->s->nr_regions, k = 0, p, g, err = -1;
	struct side_maps *m = calloc((size_t)n + 1, sizeof(*m));
	struct svg_map_row (*rows)[2] = calloc((size_t)n + 1, sizeof(*rows));
	struct svg_map_panel *pan = calloc((size_t)n + 1, sizeof(*pan));
	char title[256], sub[256];
	FILE *f = NULL;

	if (!m || !rows || !pan)
		goto out;
	for (p = 0; p < d->s->nr_procs; p++)
		for (g = 0; g < d->s->nr_regions; g++) {
			if (!build(d, op, p, g, &m[k], rows[k])) {
				free_maps(&m[k]);
				continue;
			}
			snprintf(pan[k].title, sizeof(pan[k].title), "%s %s",
				 d->s->procs[p], d->s->regions[g].name);
			pan[k].addr = d->s->regions[g].addr;
			pan[k].npages = d->s->regions[g].size / SCN_PAGE_SIZE;
			pan[k].rows = rows[k];
			pan[k].nr_rows = 2;
			k++;
		}
	f = fopen(path, "w");
	if (!f)
		goto out;
	snprintf(title, sizeof(title), "foliosim diff %s", d->s->path);
	subtitle(d, op, sub, sizeof(sub));
	svg_maps(f, title, sub, pan, k);
	err = ferror(f) ? -1 : 0;
	if (fclose(f))
		err = -1;
out:
	for (p = 0; m && p < n; p++)
		free_maps(&m[p]);
	free(m);
	free(rows);
	free(pan);
	return err;
}
