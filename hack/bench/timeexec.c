/* timeexec: time several commands side by side, interleaved.
 *
 *   timeexec RUNS WARMUP -c LABEL PREPARE CMD [-c LABEL PREPARE CMD]...
 *
 * Each round runs every command once, starting with a different one each
 * round (so that neither drift nor order favours any of them).  PREPARE,
 * when not empty, runs through /bin/sh -c before its command and is not
 * timed (fresh config.json copies).  CMD is split on spaces and started with
 * posix_spawn, stdout and stderr to /dev/null; the time is CLOCK_MONOTONIC
 * from spawn to reaping.  ru_maxrss of the child (which covers every image
 * the process execs into) is kept too.
 *
 * Prints one tab-separated line per command:
 *   LABEL  median_us  p90_us  mean_us  min_us  maxrss_kb  failures
 * A benchmark helper, not part of secshim. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

struct command
{
  const char *label;
  const char *prepare;
  char **argv;
  double *us;
  long maxrss_kb;
  int failures;
};

static void
die (const char *what)
{
  fprintf (stderr, "timeexec: %s: %s\n", what, strerror (errno));
  exit (2);
}

static char **
split_words (const char *s)
{
  char *copy = strdup (s), *save = NULL, *w;
  size_t n = 0;
  char **argv = calloc (strlen (s) / 2 + 2, sizeof *argv);
  if (copy == NULL || argv == NULL)
    die ("out of memory");
  for (w = strtok_r (copy, " ", &save); w; w = strtok_r (NULL, " ", &save))
    argv[n++] = w;
  argv[n] = NULL;
  return argv;
}

static double
now_us (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void
run_prepare (const char *prepare)
{
  int status;
  if (prepare == NULL || prepare[0] == '\0')
    return;
  status = system (prepare);
  if (status != 0)
    {
      fprintf (stderr, "timeexec: prepare `%s` failed (%d)\n", prepare, status);
      exit (2);
    }
}

/* One timed run; returns microseconds. */
static double
run_once (struct command *c, posix_spawn_file_actions_t *fa)
{
  struct rusage ru;
  pid_t pid;
  int status, rc;
  double t0, t1;

  run_prepare (c->prepare);
  t0 = now_us ();
  rc = posix_spawn (&pid, c->argv[0], fa, NULL, c->argv, environ);
  if (rc != 0)
    {
      errno = rc;
      die (c->argv[0]);
    }
  while (wait4 (pid, &status, 0, &ru) < 0)
    if (errno != EINTR)
      die ("wait4");
  t1 = now_us ();
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    c->failures++;
  if (ru.ru_maxrss > c->maxrss_kb)
    c->maxrss_kb = ru.ru_maxrss;
  return t1 - t0;
}

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static double
percentile (const double *sorted, int n, double p)
{
  int i = (int) (p * (n - 1) + 0.5);
  return sorted[i];
}

static int
parse_count (const char *s, int min)
{
  char *end = NULL;
  long v;
  errno = 0;
  v = strtol (s, &end, 10);
  if (errno || end == s || *end || v < min || v > 1000000)
    {
      fprintf (stderr, "timeexec: bad count `%s`\n", s);
      exit (2);
    }
  return (int) v;
}

int
main (int argc, char **argv)
{
  posix_spawn_file_actions_t fa;
  struct command cmds[16];
  int runs, warmup, n = 0, i, r, k;

  if (argc < 7)
    {
      fprintf (stderr, "usage: timeexec RUNS WARMUP -c LABEL PREPARE CMD...\n");
      return 2;
    }
  runs = parse_count (argv[1], 1);
  warmup = parse_count (argv[2], 0);
  for (i = 3; i < argc; i += 4)
    {
      if (strcmp (argv[i], "-c") != 0 || i + 3 >= argc || n == 16)
        {
          fprintf (stderr, "timeexec: expected -c LABEL PREPARE CMD at `%s`\n", argv[i]);
          return 2;
        }
      cmds[n] = (struct command){ .label = argv[i + 1], .prepare = argv[i + 2], .argv = split_words (argv[i + 3]) };
      cmds[n].us = calloc (runs, sizeof (double));
      if (cmds[n].us == NULL)
        die ("out of memory");
      n++;
    }

  posix_spawn_file_actions_init (&fa);
  posix_spawn_file_actions_addopen (&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen (&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen (&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);

  for (r = 0; r < warmup; r++)
    for (k = 0; k < n; k++)
      (void) run_once (&cmds[k], &fa);
  for (k = 0; k < n; k++)
    cmds[k].failures = 0, cmds[k].maxrss_kb = 0;

  for (r = 0; r < runs; r++)
    for (k = 0; k < n; k++)
      {
        struct command *c = &cmds[(r + k) % n];
        c->us[r] = run_once (c, &fa);
      }

  for (k = 0; k < n; k++)
    {
      struct command *c = &cmds[k];
      double sum = 0;
      for (r = 0; r < runs; r++)
        sum += c->us[r];
      qsort (c->us, runs, sizeof (double), cmp_double);
      printf ("%s\t%.1f\t%.1f\t%.1f\t%.1f\t%ld\t%d\n", c->label, percentile (c->us, runs, 0.5),
              percentile (c->us, runs, 0.9), sum / runs, c->us[0], c->maxrss_kb, c->failures);
    }
  return 0;
}
