// SPDX-License-Identifier: GPL-2.0-only
/*
 * The snapshot's text form (docs/snapshot.md): one record per line,
 * tokens separated by blanks, '#' comments.  Errors name path:line:col.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "config/settings.h"
#include "snapshot.h"

const char *const snap_kind_names[] = { "present", "zero", "hugezero",
					"swap" };

static const char *const flag_names[] = { "pmd", "excl", "zerofill", "ksm",
					  "ref" };
#define NR_FLAGS 5

/* {========== building ==========} */

static int grow(void **v, int *cap, int nr, size_t size)
{
	int ncap;
	void *p;

	if (nr < *cap)
		return 0;
	ncap = *cap ? 2 * *cap : 16;
	p = realloc(*v, (size_t)ncap * size);
	if (!p)
		return -ENOMEM;
	*v = p;
	*cap = ncap;
	return 0;
}

#define ADD(s, arr, nr, cap, x)                                           \
	(grow((void **)&(s)->arr, &(s)->cap, (s)->nr, sizeof(*(s)->arr)) \
		 ? -ENOMEM                                                  \
		 : ((s)->arr[(s)->nr++] = *(x), 0))

int snap_add_set(struct snapshot *s, const char *path, const char *value)
{
	struct snap_set st;

	snprintf(st.path, sizeof(st.path), "%s", path);
	snprintf(st.value, sizeof(st.value), "%s", value);
	return ADD(s, sets, nr_sets, cap_sets, &st);
}

int snap_add_proc(struct snapshot *s, const struct snap_proc *p)
{
	return ADD(s, procs, nr_procs, cap_procs, p);
}

int snap_add_vma(struct snapshot *s, const struct snap_vma *v)
{
	return ADD(s, vmas, nr_vmas, cap_vmas, v);
}

/* Does @r carry on where @prev stops? */
static bool continues(const struct snap_run *prev, const struct snap_run *r)
{
	uint64_t step = prev->kind == SNAP_PRESENT || prev->kind == SNAP_SWAP;

	if (prev->proc != r->proc || prev->kind != r->kind ||
	    prev->flags != r->flags || prev->order != r->order ||
	    prev->addr + (uint64_t)prev->npages * 4096 != r->addr)
		return false;
	if (prev->kind == SNAP_PRESENT)
		return prev->frame == r->frame &&
		       prev->idx + prev->npages == r->idx;
	return prev->frame + step * prev->npages == r->frame;
}

int snap_add_run(struct snapshot *s, const struct snap_run *r)
{
	if (s->nr_runs && continues(&s->runs[s->nr_runs - 1], r)) {
		s->runs[s->nr_runs - 1].npages += r->npages;
		return 0;
	}
	return ADD(s, runs, nr_runs, cap_runs, r);
}

void snap_free(struct snapshot *s)
{
	free(s->sets);
	free(s->procs);
	free(s->vmas);
	free(s->runs);
	memset(s, 0, sizeof(*s));
}

/* {========== writing ==========} */

int snap_write(FILE *f, const struct snapshot *s)
{
	int i, b;

	fprintf(f, "foliosim-snapshot 1\n");
	if (s->kernel[0])
		fprintf(f, "kernel %s\n", s->kernel);
	for (i = 0; i < s->nr_sets; i++)
		fprintf(f, "set %s %s\n", s->sets[i].path, s->sets[i].value);
	for (i = 0; i < s->nr_procs; i++)
		fprintf(f, "proc %s pid %d ppid %d comm %s\n",
			s->procs[i].name, s->procs[i].pid, s->procs[i].ppid,
			s->procs[i].comm[0] ? s->procs[i].comm : "-");
	for (i = 0; i < s->nr_vmas; i++) {
		const struct snap_vma *v = &s->vmas[i];

		fprintf(f, "vma %s 0x%" PRIx64 " 0x%" PRIx64 "%s%s%s %s\n",
			s->procs[v->proc].name, v->start, v->end,
			v->flags & SNAP_VMA_HUGEPAGE ? " hugepage" : "",
			v->flags & SNAP_VMA_NOHUGEPAGE ? " nohugepage" : "",
			v->flags & SNAP_VMA_RO ? " ro" : "",
			v->name[0] ? v->name : "anon");
	}
	for (i = 0; i < s->nr_runs; i++) {
		const struct snap_run *r = &s->runs[i];

		fprintf(f, "%s %s 0x%" PRIx64 " %u", snap_kind_names[r->kind],
			s->procs[r->proc].name, r->addr, r->npages);
		if (r->kind == SNAP_PRESENT)
			fprintf(f, " folio 0x%" PRIx64 " order %u idx %u",
				r->frame, r->order, r->idx);
		else if (r->kind == SNAP_SWAP)
			fprintf(f, " slot 0x%" PRIx64, r->frame);
		for (b = 0; b < NR_FLAGS; b++)
			if (r->flags & (1U << b))
				fprintf(f, " %s", flag_names[b]);
		fputc('\n', f);
	}
	return ferror(f) ? -1 : 0;
}

/* {========== reading ==========} */

struct lex {
	const char *path;
	int line;
	const char *start;	/* of the line */
	const char *p;
	const char *tok;	/* the last token */
	size_t len;
	char *err;
	size_t errlen;
};

static int lex_err(struct lex *lx, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(lx->err, lx->errlen, "%s:%d:%d: %s", lx->path, lx->line,
		 (int)(lx->tok - lx->start) + 1, msg);
	return -1;
}

/* Next token on the line; false at its end. */
static bool next(struct lex *lx)
{
	while (*lx->p == ' ' || *lx->p == '\t')
		lx->p++;
	lx->tok = lx->p;
	if (!*lx->p || *lx->p == '\n' || *lx->p == '#')
		return false;
	while (*lx->p && *lx->p != ' ' && *lx->p != '\t' && *lx->p != '\n')
		lx->p++;
	lx->len = (size_t)(lx->p - lx->tok);
	return true;
}

static bool is(const struct lex *lx, const char *word)
{
	return strlen(word) == lx->len && !strncmp(lx->tok, word, lx->len);
}

static int word(struct lex *lx, char *out, size_t size, const char *what)
{
	if (!next(lx))
		return lex_err(lx, "expected %s", what);
	if (lx->len >= size)
		return lex_err(lx, "%s too long", what);
	memcpy(out, lx->tok, lx->len);
	out[lx->len] = 0;
	return 0;
}

static int number(struct lex *lx, uint64_t *out, const char *what)
{
	char buf[32], *end;

	if (word(lx, buf, sizeof(buf), what))
		return -1;
	errno = 0;
	*out = strtoull(buf, &end, 0);
	if (*end || errno || buf[0] == '-')
		return lex_err(lx, "expected %s, got '%s'", what, buf);
	return 0;
}

static int keyword(struct lex *lx, const char *kw)
{
	if (!next(lx) || !is(lx, kw))
		return lex_err(lx, "expected '%s'", kw);
	return 0;
}

static int proc_ref(struct lex *lx, const struct snapshot *s, int *out)
{
	char name[SNAP_NAME_MAX];
	int i;

	if (word(lx, name, sizeof(name), "a process name"))
		return -1;
	for (i = 0; i < s->nr_procs; i++)
		if (!strcmp(s->procs[i].name, name)) {
			*out = i;
			return 0;
		}
	return lex_err(lx, "unknown process '%s' (declare it with 'proc')",
		       name);
}

static int parse_proc(struct lex *lx, struct snapshot *s)
{
	struct snap_proc p = { 0 };
	uint64_t pid, ppid;
	int i;

	if (word(lx, p.name, sizeof(p.name), "a process name"))
		return -1;
	for (i = 0; i < s->nr_procs; i++)
		if (!strcmp(s->procs[i].name, p.name))
			return lex_err(lx, "process '%s' declared twice",
				       p.name);
	if (keyword(lx, "pid") || number(lx, &pid, "a pid") ||
	    keyword(lx, "ppid") || number(lx, &ppid, "a pid") ||
	    keyword(lx, "comm") || word(lx, p.comm, sizeof(p.comm), "a name"))
		return -1;
	p.pid = (int)pid;
	p.ppid = (int)ppid;
	return snap_add_proc(s, &p);
}

static int aligned(struct lex *lx, uint64_t a)
{
	if (a & 4095)
		return lex_err(lx, "address 0x%" PRIx64 " is not page aligned",
			       a);
	if (a >= (1ULL << 47))
		return lex_err(lx, "address 0x%" PRIx64 " is beyond 2^47", a);
	return 0;
}

static int parse_vma(struct lex *lx, struct snapshot *s)
{
	struct snap_vma v = { 0 };
	const struct snap_vma *last = s->nr_vmas ? &s->vmas[s->nr_vmas - 1]
						 : NULL;

	if (proc_ref(lx, s, &v.proc) || number(lx, &v.start, "an address") ||
	    aligned(lx, v.start) || number(lx, &v.end, "an address") ||
	    aligned(lx, v.end))
		return -1;
	if (v.end <= v.start)
		return lex_err(lx, "empty vma");
	if (last && (last->proc > v.proc ||
		     (last->proc == v.proc && last->end > v.start)))
		return lex_err(lx, "vmas must be sorted by process and "
			       "address and must not overlap");
	while (next(lx)) {
		if (is(lx, "hugepage"))
			v.flags |= SNAP_VMA_HUGEPAGE;
		else if (is(lx, "nohugepage"))
			v.flags |= SNAP_VMA_NOHUGEPAGE;
		else if (is(lx, "ro"))
			v.flags |= SNAP_VMA_RO;
		else if (lx->len < sizeof(v.name)) {
			memcpy(v.name, lx->tok, lx->len);
			v.name[lx->len] = 0;
		} else
			return lex_err(lx, "vma name too long");
	}
	return snap_add_vma(s, &v);
}

/* The vma of @proc holding [addr, addr + n pages), or NULL. */
static const struct snap_vma *find_vma(const struct snapshot *s, int proc,
				       uint64_t addr, uint64_t n)
{
	int i;

	for (i = 0; i < s->nr_vmas; i++)
		if (s->vmas[i].proc == proc && s->vmas[i].start <= addr &&
		    addr + n * 4096 <= s->vmas[i].end)
			return &s->vmas[i];
	return NULL;
}

static int parse_run(struct lex *lx, struct snapshot *s, enum snap_kind kind)
{
	struct snap_run r = { .kind = (uint8_t)kind };
	const struct snap_run *last = s->nr_runs ? &s->runs[s->nr_runs - 1]
						 : NULL;
	uint64_t n, v;
	int b;

	if (proc_ref(lx, s, &r.proc) || number(lx, &r.addr, "an address") ||
	    aligned(lx, r.addr) || number(lx, &n, "a page count"))
		return -1;
	if (!n || n > (1U << 30))
		return lex_err(lx, "page count out of range");
	r.npages = (uint32_t)n;
	if (!find_vma(s, r.proc, r.addr, n))
		return lex_err(lx, "pages outside every vma of %s",
			       s->procs[r.proc].name);
	if (last && (last->proc > r.proc ||
		     (last->proc == r.proc &&
		      last->addr + (uint64_t)last->npages * 4096 > r.addr)))
		return lex_err(lx, "runs must be sorted by process and "
			       "address and must not overlap");
	if (kind == SNAP_PRESENT) {
		if (keyword(lx, "folio") || number(lx, &r.frame, "a frame") ||
		    keyword(lx, "order") || number(lx, &v, "an order"))
			return -1;
		if (v > 9)
			return lex_err(lx, "order must be 0..9");
		r.order = (uint8_t)v;
		if (keyword(lx, "idx") || number(lx, &v, "a page index"))
			return -1;
		if (v + n > (1ULL << r.order))
			return lex_err(lx, "pages beyond the folio's end");
		r.idx = (uint32_t)v;
	} else if (kind == SNAP_SWAP) {
		if (keyword(lx, "slot") || number(lx, &r.frame, "a slot"))
			return -1;
	}
	while (next(lx)) {
		for (b = 0; b < NR_FLAGS; b++)
			if (is(lx, flag_names[b]))
				break;
		if (b == NR_FLAGS)
			return lex_err(lx, "expected a flag (pmd, excl, "
				       "zerofill, ksm, ref)");
		r.flags |= 1U << b;
	}
	if ((r.flags & SNAP_PMD) &&
	    (kind != SNAP_PRESENT || r.order != 9 || r.idx ||
	     n != 512 || (r.addr & ((1ULL << 21) - 1))))
		return lex_err(lx, "'pmd' needs a whole order-9 folio at a "
			       "2 MiB aligned address");
	return snap_add_run(s, &r);
}

static int parse_line(struct lex *lx, struct snapshot *s, bool *seen_magic)
{
	char path[64], value[32];
	int k;

	if (!next(lx))
		return 0;
	if (!*seen_magic) {
		uint64_t version;

		if (!is(lx, "foliosim-snapshot"))
			return lex_err(lx, "expected 'foliosim-snapshot 1'");
		if (number(lx, &version, "a version"))
			return -1;
		if (version != 1)
			return lex_err(lx, "unsupported version %" PRIu64,
				       version);
		*seen_magic = true;
	} else if (is(lx, "kernel")) {
		if (word(lx, s->kernel, sizeof(s->kernel), "a release"))
			return -1;
	} else if (is(lx, "set")) {
		char why[128];

		if (word(lx, path, sizeof(path), "a setting path") ||
		    word(lx, value, sizeof(value), "a value"))
			return -1;
		if (setting_check(path, value, why, sizeof(why)))
			return lex_err(lx, "%s", why);
		return snap_add_set(s, path, value);
	} else if (is(lx, "proc")) {
		return parse_proc(lx, s);
	} else if (is(lx, "vma")) {
		return parse_vma(lx, s);
	} else {
		for (k = 0; k <= SNAP_SWAP; k++)
			if (is(lx, snap_kind_names[k]))
				return parse_run(lx, s, (enum snap_kind)k);
		return lex_err(lx, "expected kernel, set, proc, vma, present, "
			       "zero, hugezero or swap");
	}
	if (next(lx))
		return lex_err(lx, "unexpected text");
	return 0;
}

int snap_parse(const char *path, const char *text, struct snapshot *s,
	       char *err, size_t errlen)
{
	struct lex lx = { .path = path, .p = text, .err = err,
			  .errlen = errlen };
	bool magic = false;

	memset(s, 0, sizeof(*s));
	while (*lx.p) {
		lx.line++;
		lx.start = lx.p;
		lx.tok = lx.p;
		if (parse_line(&lx, s, &magic)) {
			snap_free(s);
			return -1;
		}
		if (next(&lx)) {
			lex_err(&lx, "unexpected text");
			snap_free(s);
			return -1;
		}
		while (*lx.p && *lx.p != '\n')
			lx.p++;
		if (*lx.p)
			lx.p++;
	}
	if (!magic) {
		snprintf(err, errlen, "%s:1:1: expected 'foliosim-snapshot 1'",
			 path);
		snap_free(s);
		return -1;
	}
	return 0;
}

int snap_read_file(const char *path, struct snapshot *s, char *err,
		   size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t len = 0, cap = 0, got;
	int ret;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	do {
		if (cap - len < 65536) {
			char *p = realloc(text, cap = cap ? 2 * cap : 65536);

			if (!p) {
				free(text);
				fclose(f);
				snprintf(err, errlen, "%s: out of memory",
					 path);
				return -1;
			}
			text = p;
		}
		got = fread(text + len, 1, cap - len - 1, f);
		len += got;
	} while (got);
	text[len] = 0;
	fclose(f);
	if (memchr(text, 0, len)) {
		snprintf(err, errlen, "%s: not a text file", path);
		free(text);
		return -1;
	}
	ret = snap_parse(path, text, s, err, errlen);
	free(text);
	return ret;
}
