// SPDX-License-Identifier: GPL-2.0-only
/*
 * Every scenario file under tests/scenarios/ (recursively, in sorted path
 * order), parsed and run on the model under every profile with the
 * invariant checker after each statement: one TAP line per file and
 * profile, "ok N - tests/scenarios/x.fsim under v6.18".  A run fails on a
 * failed expectation, lost data, a broken invariant, bad input or a crash;
 * the failures follow the TAP line as '#' diagnostics (line, statement,
 * what was observed).
 *
 * Markers in a scenario file, in its leading comment block:
 *   '# profiles: v6.18,v6.15'  run only under these profiles; the others
 *                              print '# SKIP'.
 *   '# slow'                   under the sanitizers (make check's second
 *                              build) run under the default profile only,
 *                              unless FSIM_SLOW=1.
 *   '# BUG: why'               the file hits a recorded crash (say, in the
 *                              executor): a run that crashes after every
 *                              expectation held is reported, not counted.
 * and at the end of an expect line:
 *   '# BUG: why'               a recorded model bug.  Its failure is
 *                              reported as "# BUG: ..." and does not fail
 *                              the run (as KNOWN_BUG() in tests/lib/tm.h);
 *                              once it passes, the output says so.
 *
 * Each run is a child process (a crash fails one run, not the suite);
 * FSIM_JOBS (default: the online CPUs, at most 8) run at once, and the
 * output keeps the sorted order.  FSIM_SCENARIOS=substring runs only the
 * matching paths.  Run from the repository root.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exec/exec.h"
#include "lib/tap.h"
#include "config/profile.h"
#include "scenario/scenario.h"

#define ROOT "tests/scenarios"
#define MAX_JOBS 8

struct strv {
	char **v;
	int n, cap;
};

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("Bail out! ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	exit(1);
}

/* Append @s (NULL only as the terminator: @end). */
static void strv_add(struct strv *sv, char *s, bool end)
{
	if (!s && !end)
		die("out of memory");
	if (sv->n == sv->cap) {
		sv->cap = sv->cap ? 2 * sv->cap : 64;
		sv->v = realloc(sv->v, (size_t)sv->cap * sizeof(*sv->v));
		if (!sv->v)
			die("out of memory");
	}
	sv->v[sv->n++] = s;
}

static void strv_push(struct strv *sv, char *s)
{
	strv_add(sv, s, false);
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && !strcmp(s + n - k, suffix);
}

/* Every *.fsim below @dir (hidden entries skipped). */
static void find_scenarios(const char *dir, struct strv *out)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		die("%s: %s (run from the repository root)", dir,
		    strerror(errno));
	while ((e = readdir(d))) {
		struct stat st;
		char *path;

		if (e->d_name[0] == '.')
			continue;
		if (asprintf(&path, "%s/%s", dir, e->d_name) < 0)
			die("out of memory");
		if (stat(path, &st)) {
			free(path);
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			find_scenarios(path, out);
			free(path);
		} else if (S_ISREG(st.st_mode) && has_suffix(path, ".fsim")) {
			strv_push(out, path);
		} else {
			free(path);
		}
	}
	closedir(d);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The file's lines, for the markers; NULL-terminated. */
static char **read_lines(const char *path, int *nr)
{
	struct strv sv = { 0 };
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	*nr = 0;
	if (!f)
		return NULL;
	while ((len = getline(&line, &cap, f)) >= 0) {
		while (len > 0 &&
		       (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = 0;
		strv_push(&sv, strdup(line));
	}
	free(line);
	fclose(f);
	strv_add(&sv, NULL, true);
	*nr = sv.n - 1;
	return sv.v;
}

static void free_lines(char **lines)
{
	char **p;

	for (p = lines; p && *p; p++)
		free(*p);
	free(lines);
}

static const char *skip_space(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/*
 * The markers of the leading comment block: "# profiles: a,b" (which
 * profiles the file runs under, @want[i]), "# slow" (@slow) and
 * "# BUG: why" (a recorded crash, copied to @bug).  Returns false (with
 * @err) for an unknown profile name.
 */
static bool parse_header(char **lines, bool *want, bool *slow, char *bug,
			 size_t buglen, char *err, size_t errlen)
{
	int i;

	for (i = 0; i < fsim_nr_profiles; i++)
		want[i] = true;
	bug[0] = 0;
	*slow = false;
	for (; lines && *lines; lines++) {
		const char *s = skip_space(*lines);
		char *list, *tok, *save;

		if (!*s)
			continue;
		if (*s != '#')
			break;
		s = skip_space(s + 1);
		if (!strncmp(s, "slow", 4) && !*skip_space(s + 4)) {
			*slow = true;
			continue;
		}
		if (!strncmp(s, "BUG", 3)) {
			s = skip_space(s + 3);
			if (*s == ':')
				s = skip_space(s + 1);
			snprintf(bug, buglen, "%s", s);
			continue;
		}
		if (strncmp(s, "profiles:", 9))
			continue;
		for (i = 0; i < fsim_nr_profiles; i++)
			want[i] = false;
		list = strdup(s + 9);
		if (!list)
			die("out of memory");
		for (tok = strtok_r(list, ", \t", &save); tok;
		     tok = strtok_r(NULL, ", \t", &save)) {
			const struct fsim_profile *p = profile_lookup(tok);

			if (!p) {
				snprintf(err, errlen, "'# profiles:' names an "
					 "unknown profile '%s'", tok);
				free(list);
				return false;
			}
			want[p - fsim_profiles] = true;
		}
		free(list);
	}
	return true;
}

/* The text after "# BUG" on source line @line (1-based), or NULL. */
static const char *bug_marker(char **lines, int nr, int line)
{
	const char *s;

	if (line < 1 || line > nr)
		return NULL;
	s = strstr(lines[line - 1], "# BUG");
	if (!s)
		return NULL;
	s = skip_space(s + 5);
	if (*s == ':')
		s = skip_space(s + 1);
	return s;
}

static const char *const status_names[] = {
	[EXEC_OK] = "ok",
	[EXEC_FAILED] = "an expectation failed",
	[EXEC_BAD_INPUT] = "bad input",
	[EXEC_DATA_LOST] = "data lost or invariant broken",
	[EXEC_CANNOT_RUN] = "cannot run",
};

/* The child's report line after the expectations: did they all hold? */
#define EXPECTS_OK "\001expectations held\n"
#define EXPECTS_FAILED "\001expectations failed\n"
/* ... and its last line, once the run finished (no crash, no sanitizer) */
#define FINISHED "\001finished\n"

/*
 * Report the expectations evaluated so far; returns how many failed that
 * carry no "# BUG" marker.
 */
static int report_expects(const struct scn_scenario *s, char **lines,
			  int nr_lines, const struct exec_result *r, FILE *out)
{
	int i, unexpected = 0;

	for (i = 0; i < r->nr_expects; i++) {
		const struct scn_op *op = &s->ops[r->expects[i].op];
		const char *bug = bug_marker(lines, nr_lines, op->line);

		if (r->expects[i].passed) {
			if (bug)
				fprintf(out, "BUG marker now passes, make it a "
					"plain expect: %s:%d\n", s->path,
					op->line);
			continue;
		}
		if (bug) {
			fprintf(out, "BUG: %s:%d: %s: got %s (%s)\n", s->path,
				op->line, op->text, r->expects[i].got, bug);
			continue;
		}
		fprintf(out, "line %d: %s: got %s\n", op->line, op->text,
			r->expects[i].got);
		unexpected++;
	}
	return unexpected;
}

/*
 * The child's work: run @s under @profile statement by statement, write
 * the report to @out and return 0 if the run passed.  The expectations
 * are written (and flushed) before the run is finished, so that they
 * are seen even if finishing crashes.
 */
static int run_one(const struct scn_scenario *s, char **lines, int nr_lines,
		   const char *profile, FILE *out)
{
	struct exec_model_opts o = {
		.profile = profile,
		.shared_pred = -1,
		.check = true,
	};
	struct exec_result r;
	struct exec_run run;
	enum exec_status st;
	int i, unexpected;

	if (exec_model_begin(s, &o, &r, &run)) {
		fprintf(out, "%s\n" FINISHED, r.error);
		exec_result_free(&r);
		return 1;
	}
	for (i = 0; i < s->nr_ops; i++)
		if (run.ops->step(run.x, i) != EXEC_OK)
			break;
	unexpected = report_expects(s, lines, nr_lines, &r, out);
	fputs(unexpected ? EXPECTS_FAILED : EXPECTS_OK, out);
	fflush(out);
	st = run.ops->finish(run.x);
	if (r.data_lost)
		fprintf(out, "data lost: %ld page reads did not return what "
			"was written\n", r.data_lost);
	if (r.invariant_violations)
		fprintf(out, "invariant violations: %ld\n",
			r.invariant_violations);
	if (st != EXEC_OK && st != EXEC_FAILED)
		fprintf(out, "%s: %s\n", status_names[st],
			r.error[0] ? r.error : "(no message)");
	exec_result_free(&r);
	fputs(FINISHED, out);
	if (st == EXEC_FAILED && !unexpected)
		st = EXEC_OK;	/* only recorded model bugs failed */
	return st == EXEC_OK ? 0 : 1;
}

enum job_state { JOB_WAITING, JOB_RUNNING, JOB_DONE };

struct job {
	int file, profile;
	enum job_state state;
	pid_t pid;
	FILE *out;		/* the child's diagnostics */
	bool skip, ok, bad_input, crashed;
	char bug[256];		/* the file's "# BUG:" marker, if any */
	const char *why;	/* why it was skipped */
	char err[512];		/* bad input, or how the child died */
};

/* One scenario file as the parent sees it while its jobs start. */
struct file_ctx {
	int file;
	bool parsed;
	struct scn_scenario s;
	char **lines;
	int nr_lines;
	bool want[16];
	bool slow;		/* "# slow" */
	char bug[256];		/* the file's "# BUG:" marker */
	char err[512];
};

static void file_ctx_load(struct file_ctx *fc, int file, const char *path)
{
	if (fc->parsed)
		scn_free(&fc->s);
	free_lines(fc->lines);
	memset(fc, 0, sizeof(*fc));
	fc->file = file;
	fc->lines = read_lines(path, &fc->nr_lines);
	if (!fc->lines) {
		snprintf(fc->err, sizeof(fc->err), "%s: %s", path,
			 strerror(errno));
		return;
	}
	if (!parse_header(fc->lines, fc->want, &fc->slow, fc->bug,
			  sizeof(fc->bug), fc->err, sizeof(fc->err)))
		return;
	if (scn_parse_file(path, &fc->s, fc->err, sizeof(fc->err)))
		return;
	fc->parsed = true;
}

/* Built with AddressSanitizer (make check's second build)? */
static bool sanitized(void)
{
#if defined(__SANITIZE_ADDRESS__)
	return true;
#else
	return false;
#endif
}

static void start_job(struct job *j, struct file_ctx *fc)
{
	const char *profile = fsim_profiles[j->profile].name;
	pid_t pid;

	if (fc->err[0]) {
		snprintf(j->err, sizeof(j->err), "%s", fc->err);
		j->bad_input = true;
		j->state = JOB_DONE;
		return;
	}
	snprintf(j->bug, sizeof(j->bug), "%s", fc->bug);
	if (!fc->want[j->profile]) {
		j->skip = true;
		j->why = "not in the file's '# profiles:'";
		j->state = JOB_DONE;
		return;
	}
	if (fc->slow && sanitized() && !getenv("FSIM_SLOW") &&
	    &fsim_profiles[j->profile] != profile_default()) {
		j->skip = true;
		j->why = "'# slow': only the default profile under the "
			 "sanitizers (FSIM_SLOW=1 runs all)";
		j->state = JOB_DONE;
		return;
	}
	j->out = tmpfile();
	if (!j->out)
		die("tmpfile: %s", strerror(errno));
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (!pid) {
		int rc;

		/* the checker's reports go with the diagnostics */
		dup2(fileno(j->out), STDERR_FILENO);
		rc = run_one(&fc->s, fc->lines, fc->nr_lines, profile, j->out);
		fflush(j->out);
		_exit(rc);
	}
	j->pid = pid;
	j->state = JOB_RUNNING;
}

/*
 * Print the TAP line of a finished job and its report.  A file-level
 * "# BUG:" marker excuses a crash, as long as every expectation evaluated
 * before it held.
 */
static void print_job(struct job *j, const char *path)
{
	const char *profile = fsim_profiles[j->profile].name;
	bool expects_ok = false, finished = false, ran = j->out, ok;
	struct strv report = { 0 };
	char *line = NULL;
	size_t cap = 0;
	int i;

	if (j->skip) {
		tap_skip(j->why, "%s under %s", path, profile);
		return;
	}
	if (j->out) {
		rewind(j->out);
		while (getline(&line, &cap, j->out) >= 0) {
			if (!strcmp(line, FINISHED)) {
				finished = true;
				continue;
			}
			if (line[0] == '\001') {
				expects_ok = !strcmp(line, EXPECTS_OK);
				continue;
			}
			strv_push(&report, strdup(line));
		}
		free(line);
		fclose(j->out);
		j->out = NULL;
	}
	if (ran && !finished && !j->crashed) {	/* a sanitizer's exit */
		j->ok = false;
		j->crashed = true;
		snprintf(j->err, sizeof(j->err),
			 "died before the run finished");
	}
	ok = j->ok;
	if (j->bug[0] && j->crashed && expects_ok) {
		printf("# BUG: %s: %s (recorded bug: the crash below is not "
		       "counted)\n", path, j->bug);
		ok = true;
	} else if (j->bug[0] && j->ok) {
		printf("# BUG marker now passes, remove it: %s\n", path);
	}
	TEST(ok, "%s under %s", path, profile);
	if (j->err[0])
		printf("# %s%s\n", j->bad_input ? "bad input: " : "", j->err);
	for (i = 0; i < report.n; i++) {
		printf("# %s", report.v[i]);
		free(report.v[i]);
	}
	free(report.v);
	fflush(stdout);
}

static int nr_jobs_wanted(void)
{
	const char *e = getenv("FSIM_JOBS");
	long n = e ? strtol(e, NULL, 10) : sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		n = 1;
	return n > MAX_JOBS ? MAX_JOBS : (int)n;
}

int main(void)
{
	struct strv files = { 0 };
	const char *filter = getenv("FSIM_SCENARIOS");
	struct file_ctx fc = { .file = -1 };
	struct job *jobs;
	int nr_jobs, next_start = 0, next_print = 0, running = 0, f, p;
	int max_running = nr_jobs_wanted();

	if (fsim_nr_profiles > (int)(sizeof(fc.want) / sizeof(fc.want[0])))
		die("more profiles than this test knows");
	find_scenarios(ROOT, &files);
	if (files.n)
		qsort(files.v, (size_t)files.n, sizeof(*files.v), cmp_str);
	if (filter) {
		int k = 0;

		for (f = 0; f < files.n; f++)
			if (strstr(files.v[f], filter))
				files.v[k++] = files.v[f];
			else
				free(files.v[f]);
		files.n = k;
	}
	if (!files.n)
		die("no scenario files under %s", ROOT);
	nr_jobs = files.n * fsim_nr_profiles;
	jobs = calloc((size_t)nr_jobs, sizeof(*jobs));
	if (!jobs)
		die("out of memory");
	for (f = 0; f < files.n; f++)
		for (p = 0; p < fsim_nr_profiles; p++)
			jobs[f * fsim_nr_profiles + p] =
				(struct job){ .file = f, .profile = p };

	while (next_print < nr_jobs) {
		int status;
		pid_t pid;

		while (next_start < nr_jobs && running < max_running) {
			struct job *j = &jobs[next_start++];

			if (fc.file != j->file)
				file_ctx_load(&fc, j->file, files.v[j->file]);
			start_job(j, &fc);
			running += j->state == JOB_RUNNING;
		}
		while (next_print < nr_jobs &&
		       jobs[next_print].state == JOB_DONE) {
			struct job *j = &jobs[next_print++];

			print_job(j, files.v[j->file]);
		}
		if (!running)
			continue;
		pid = wait(&status);
		if (pid < 0)
			die("wait: %s", strerror(errno));
		for (f = 0; f < nr_jobs; f++) {
			struct job *j = &jobs[f];

			if (j->state != JOB_RUNNING || j->pid != pid)
				continue;
			j->state = JOB_DONE;
			running--;
			if (WIFEXITED(status)) {
				j->ok = WEXITSTATUS(status) == 0;
			} else {
				j->ok = false;
				j->crashed = true;
				snprintf(j->err, sizeof(j->err),
					 "crashed: signal %d",
					 WIFSIGNALED(status) ?
						 WTERMSIG(status) : -1);
			}
			break;
		}
	}
	if (fc.parsed)
		scn_free(&fc.s);
	free_lines(fc.lines);
	for (f = 0; f < files.n; f++)
		free(files.v[f]);
	free(files.v);
	free(jobs);
	return tap_done();
}
