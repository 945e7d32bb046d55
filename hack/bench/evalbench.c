/* evalbench: the cost of checking one document, in process.
 *
 *   evalbench POLICY FILE ITERATIONS
 *
 * Loads the policy once, reads FILE into memory once, then times ITERATIONS
 * rounds of exactly what runtime mode does per document: json_parse ->
 * spec_normalize -> policy_evaluate (host_real(), as in production) ->
 * json_write, freeing everything.  A FILE named *.process.json is checked as
 * exec's process.json, anything else as config.json.
 *
 * EVALBENCH_HOST=fake uses host_fake_init() (lexical paths, no syscalls)
 * instead, to separate the CPU cost from the host lookups (lstat walks of
 * mount sources and denied paths).
 *
 * Prints tab-separated:
 *   FILE  bytes  median_us  p90_us  min_us  policy_load_median_us  verdict
 *
 * Under callgrind, --toggle-collect=evaluate_once counts the instructions of
 * one round only (ITERATIONS=1: the first, cold round, as in a real secshim
 * process).  A benchmark helper, not part of secshim. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "secshim/cleanup.h"
#include "secshim/json.h"
#include "secshim/policy.h"
#include "secshim/hosts.h"
#include "secshim/spec.h"
#include "secshim/util.h"

static double
now_us (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static bool
has_suffix (const char *s, const char *suffix)
{
  size_t n = strlen (s), m = strlen (suffix);
  return n >= m && strcmp (s + n - m, suffix) == 0;
}

/* One document, start to finish; returns 1 refused, 0 allowed, -1 error. */
/* NULL: host_real(), probed inside the first round as in production. */
static const struct host *bench_host;

__attribute__ ((noinline)) static int
evaluate_once (const struct policy *p, const char *buf, size_t len, enum doc_kind kind, const struct identity *id,
               secshim_error_t *err)
{
  struct json_value *doc = NULL;
  struct findings f = { 0 };
  char *out = NULL;
  size_t out_len = 0;
  bool refused = false;
  int ret = -1;

  if (json_parse (buf, len, NULL, &doc, err) < 0
      || spec_normalize (doc, kind == DOC_PROCESS ? SPEC_PROCESS : SPEC_CONFIG, err) < 0
      || policy_evaluate (p, doc, kind, bench_host ? bench_host : host_real (), id, &f, &refused, err) < 0)
    goto out;
  /* Production writes only what it lets through; the benchmark serialises
   * either way so that refused and allowed documents cost the same work. */
  if (json_write (doc, &out, &out_len, err) < 0)
    goto out;
  ret = refused ? 1 : 0;
out:
  free (out);
  findings_free (&f);
  json_free (doc);
  return ret;
}

static double
median_policy_load (const char *path, int rounds)
{
  double *t = calloc (rounds, sizeof *t), m;
  int i;
  for (i = 0; i < rounds; i++)
    {
      struct policy *p = NULL;
      secshim_error_t err = NULL;
      double t0 = now_us ();
      if (policy_load_file (path, &p, &err) < 0)
        {
          fprintf (stderr, "evalbench: %s\n", err->msg);
          exit (2);
        }
      t[i] = now_us () - t0;
      policy_free (p);
    }
  qsort (t, rounds, sizeof *t, cmp_double);
  m = t[rounds / 2];
  free (t);
  return m;
}

int
main (int argc, char **argv)
{
  cleanup_free char *buf = NULL;
  cleanup_free char *dir_copy = NULL;
  cleanup_free double *t = NULL;
  cleanup_close int fd = -1;
  struct policy *p = NULL;
  secshim_error_t err = NULL;
  char bundle[PATH_MAX];
  struct identity id = { .verb = "create", .container_id = "bench" };
  enum doc_kind kind;
  uint32_t iterations;
  size_t len = 0;
  int i, verdict = 0;

  if (argc != 4 || parse_u32 (argv[3], &iterations) < 0 || iterations == 0 || iterations > 1000000)
    {
      fprintf (stderr, "usage: evalbench POLICY FILE ITERATIONS\n");
      return 2;
    }
  fd = open (argv[2], O_RDONLY | O_CLOEXEC);
  if (fd < 0 || read_all_fd (fd, JSON_DEFAULT_MAX_BYTES, &buf, &len) < 0)
    {
      fprintf (stderr, "evalbench: %s: %s\n", argv[2], strerror (errno));
      return 2;
    }
  dir_copy = xstrdup (argv[2]);
  if (realpath (dirname (dir_copy), bundle))
    id.bundle = bundle;
  if (str_equal (getenv ("EVALBENCH_HOST"), "fake"))
    {
      static struct host fake;
      host_fake_init (&fake, host_real ()->apparmor_enabled, host_real ()->cgroupns_supported);
      bench_host = &fake;
    }
  kind = has_suffix (argv[2], ".process.json") ? DOC_PROCESS : DOC_CONFIG;
  if (policy_load_file (argv[1], &p, &err) < 0)
    {
      fprintf (stderr, "evalbench: %s\n", err->msg);
      return 2;
    }

  t = calloc (iterations, sizeof *t);
  for (i = 0; i < (int) iterations; i++)
    {
      double t0 = now_us ();
      verdict = evaluate_once (p, buf, len, kind, &id, &err);
      t[i] = now_us () - t0;
      if (verdict < 0)
        {
          fprintf (stderr, "evalbench: %s: %s\n", argv[2], err->msg);
          return 2;
        }
    }
  qsort (t, iterations, sizeof *t, cmp_double);
  printf ("%s\t%zu\t%.2f\t%.2f\t%.2f\t%.2f\t%s\n", argv[2], len, t[iterations / 2],
          t[(size_t) (0.9 * (iterations - 1) + 0.5)], t[0], iterations > 1 ? median_policy_load (argv[1], 51) : 0.0,
          verdict ? "refused" : "allowed");
  policy_free (p);
  return 0;
}
