/* `secshim explain [--log FILE] [--all] CONTAINER`
 *
 * What secshim did to one container and why, from the audit log: every
 * decision recorded for it (create, run, exec, ...), and for each one what
 * was refused, rewritten or exempted, in the words of the refusal message
 * (src/policy/refusal.c).  CONTAINER is an id or an id prefix as `docker ps`
 * shows it (12 characters); when no record's id starts with it, it is taken
 * for a name and asked of `docker inspect`, then `podman inspect`.  The log
 * is read line by line (a line is judged only when it holds CONTAINER), so a
 * large log costs one sequential read.  The rotated log (FILE.1) is read
 * first when it exists.  Exit 0: found; 1: no record; 2: usage or I/O. */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "secshim/cleanup.h"
#include "secshim/json.h"
#include "secshim/policy.h"
#include "secshim/refusal.h"
#include "secshim/runtime.h"
#include "secshim/util.h"

extern char **environ;

#define DEFAULT_LOG "/var/log/secshim/audit.jsonl"
/* Distinct ids a prefix may match before explain asks for a longer one. */
#define MAX_IDS 8
/* The last clauses printed for a record, to print bounding, effective and
 * permitted's identical rewrite once. */
#define RECENT 4

struct explain_opts
{
  const char *log;
  const char *container;
  bool all;
};

static const char usage_text[]
    = "usage: secshim explain [--log FILE] [--all] CONTAINER\n"
      "What secshim refused or rewrote for CONTAINER (an id, an id prefix or a docker/podman name) and why,\n"
      "from the audit log (default " DEFAULT_LOG "; FILE.1 is read too).  --all also shows what was only recorded.\n"
      "Exit status: 0 found, 1 no record of it, 2 usage or unreadable log.\n";

struct scan
{
  const char *want; /* id or prefix */
  size_t want_len;
  char *ids[MAX_IDS]; /* distinct full ids seen */
  size_t n_ids;
  bool too_many;
  size_t n_records;
  bool print;
  bool all;
};

static enum action
action_from_name (const char *s)
{
  if (str_equal (s, "reject"))
    return ACTION_REJECT;
  if (str_equal (s, "rewrite"))
    return ACTION_REWRITE;
  if (str_equal (s, "warn"))
    return ACTION_WARN;
  return ACTION_AUDIT;
}

static const char *
label_of (const struct finding *fd)
{
  if (fd->exempted)
    return "exempted";
  switch (fd->action)
    {
    case ACTION_REJECT:
      return "refused";
    case ACTION_REWRITE:
      return "rewritten";
    case ACTION_WARN:
      return "warned";
    default:
      return "recorded";
    }
}

static void
print_record (const struct json_value *rec, const char *id, bool all)
{
  const struct json_value *findings = json_get (rec, "findings");
  const char *engine_field = json_string (json_get (rec, "engine"));
  const char *bundle = json_string (json_get (rec, "bundle"));
  const char *outcome = json_string (json_get (rec, "outcome"));
  const char *error = json_string (json_get (rec, "error"));
  enum engine e = engine_field ? engine_from_name (engine_field) : refusal_engine (NULL, NULL, bundle);
  char *recent[RECENT] = { 0 };
  size_t i, next = 0, shown = 0;

  printf ("%s %s %.12s: %s (policy %s)\n", json_string (json_get (rec, "time")) ?: "?",
          json_string (json_get (rec, "verb")) ?: "?", id, outcome ?: "?",
          json_string (json_get (rec, "policy")) ?: "?");
  if (str_equal (outcome, "refused") || str_equal (outcome, "error"))
    printf ("  the engine was told: secshim: %s\n", error ?: "?");
  for (i = 0; json_is (findings, JSON_ARRAY) && i < findings->count; i++)
    {
      const struct json_value *f = findings->items[i];
      struct finding fd = {
        .rule = json_string (json_get (f, "rule")) ?: "?",
        .path = (char *) json_string (json_get (f, "path")),
        .action = action_from_name (json_string (json_get (f, "action"))),
        .message = (char *) json_string (json_get (f, "message")),
        .before = (char *) json_string (json_get (f, "before")),
        .after = (char *) json_string (json_get (f, "after")),
        .exempted = json_is_true (json_get (f, "exempted")),
      };
      char *clause;
      size_t k;
      bool dup = false;
      if (fd.action == ACTION_AUDIT && !fd.exempted && !all)
        continue;
      clause = refusal_clause (&fd, NULL, e);
      for (k = 0; k < RECENT; k++)
        dup |= recent[k] && strcmp (recent[k], clause) == 0;
      if (dup)
        {
          free (clause);
          continue;
        }
      printf ("  %s: %s\n", label_of (&fd), clause);
      shown++;
      free (recent[next]);
      recent[next] = clause;
      next = (next + 1) % RECENT;
    }
  for (i = 0; i < RECENT; i++)
    free (recent[i]);
  if (shown == 0)
    printf ("  nothing was changed%s\n", all ? "" : " (--all shows what was only recorded)");
}

/* One line of the log. */
static void
scan_line (struct scan *s, const char *line, size_t len)
{
  cleanup_with (json_free) struct json_value *rec = NULL;
  secshim_error_t err = NULL;
  const char *id;
  size_t i;

  if (memmem (line, len, s->want, s->want_len) == NULL)
    return;
  if (json_parse (line, len, NULL, &rec, &err) < 0)
    {
      secshim_error_release (&err);
      return; /* a torn or foreign line */
    }
  id = json_string (json_get (rec, "id"));
  if (id == NULL || strncmp (id, s->want, s->want_len) != 0)
    return;
  for (i = 0; i < s->n_ids && strcmp (s->ids[i], id) != 0; i++)
    ;
  if (i == s->n_ids)
    {
      if (s->n_ids == MAX_IDS)
        {
          s->too_many = true;
          return;
        }
      s->ids[s->n_ids++] = xstrdup (id);
    }
  s->n_records++;
  if (s->print)
    print_record (rec, id, s->all);
}

/* 0, or -1 when the file cannot be read (ENOENT is not an error for FILE.1). */
static int
scan_file (struct scan *s, const char *path, bool optional)
{
  FILE *fp;
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    {
      if (optional && errno == ENOENT)
        return 0;
      fprintf (stderr, "secshim explain: %s: %m%s\n", path,
               errno == EACCES ? " (the audit log is root's: run it with sudo)" : "");
      return -1;
    }
  fp = fdopen (fd, "r");
  if (fp == NULL)
    {
      close (fd);
      return -1;
    }
  while ((n = getline (&line, &cap, fp)) > 0)
    {
      if (line[n - 1] == '\n')
        line[--n] = '\0';
      scan_line (s, line, (size_t) n);
    }
  free (line);
  fclose (fp);
  return 0;
}

static int
scan_log (struct scan *s, const char *log)
{
  cleanup_free char *rotated = NULL;
  xasprintf (&rotated, "%s.1", log);
  if (scan_file (s, rotated, true) < 0)
    return -1;
  /* Just rotated: FILE.1 alone is a log too. */
  return scan_file (s, log, access (rotated, F_OK) == 0);
}

static void
scan_reset (struct scan *s)
{
  size_t i;
  for (i = 0; i < s->n_ids; i++)
    free (s->ids[i]);
  s->n_ids = 0;
  s->n_records = 0;
  s->too_many = false;
}

/* `TOOL inspect --format {{.Id}} NAME`: the full id, or NULL. */
static char *
id_from_engine (const char *tool, const char *name)
{
  char *argv[] = { (char *) tool, (char *) "inspect", (char *) "--format", (char *) "{{.Id}}", (char *) name, NULL };
  posix_spawn_file_actions_t fa;
  int pipefd[2], status = 0;
  pid_t pid;
  char *out = NULL;
  size_t len = 0;

  if (pipe2 (pipefd, O_CLOEXEC) < 0)
    return NULL;
  posix_spawn_file_actions_init (&fa);
  posix_spawn_file_actions_adddup2 (&fa, pipefd[1], STDOUT_FILENO);
  posix_spawn_file_actions_addopen (&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  if (posix_spawnp (&pid, tool, &fa, NULL, argv, environ) != 0)
    pid = -1;
  posix_spawn_file_actions_destroy (&fa);
  close (pipefd[1]);
  if (pid > 0 && read_all_fd (pipefd[0], 4096, &out, &len) < 0)
    {
      free (out);
      out = NULL;
    }
  close (pipefd[0]);
  if (pid > 0)
    while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
      ;
  if (pid <= 0 || !WIFEXITED (status) || WEXITSTATUS (status) != 0 || out == NULL)
    {
      free (out);
      return NULL;
    }
  while (len > 0 && (out[len - 1] == '\n' || out[len - 1] == ' '))
    out[--len] = '\0';
  if (len == 0 || strchr (out, '\n'))
    {
      free (out);
      return NULL;
    }
  return out;
}

static int
parse_opts (int argc, char **argv, struct explain_opts *o)
{
  int i;
  for (i = 1; i < argc; i++)
    {
      const char *a = argv[i];
      if (strcmp (a, "--help") == 0 || strcmp (a, "-h") == 0)
        return 1;
      if (strcmp (a, "--all") == 0)
        o->all = true;
      else if (strcmp (a, "--log") == 0)
        {
          if (++i >= argc)
            return fprintf (stderr, "secshim explain: --log needs a value\n"), -1;
          o->log = argv[i];
        }
      else if (str_has_prefix (a, "--log="))
        o->log = a + strlen ("--log=");
      else if (a[0] == '-' && a[1] != '\0')
        return fprintf (stderr, "secshim explain: unknown option `%s`\n", a), -1;
      else if (o->container)
        return fprintf (stderr, "secshim explain: one CONTAINER only (`%s` and `%s`)\n", o->container, a), -1;
      else
        o->container = a;
    }
  if (o->container == NULL || *o->container == '\0')
    return fprintf (stderr, "secshim explain: no CONTAINER given\n"), -1;
  if (o->log == NULL || *o->log == '\0')
    o->log = DEFAULT_LOG;
  return 0;
}

int
explain_main (int argc, char **argv)
{
  struct explain_opts o = { 0 };
  struct scan s = { 0 };
  cleanup_free char *resolved = NULL;
  int rc = parse_opts (argc, argv, &o);
  size_t i;

  if (rc != 0)
    {
      fputs (usage_text, rc > 0 ? stdout : stderr);
      return rc > 0 ? 0 : 2;
    }
  s.want = o.container;
  s.want_len = strlen (o.container);
  s.all = o.all;
  if (scan_log (&s, o.log) < 0)
    return 2;
  if (s.n_ids == 0)
    {
      /* A name: ask the engines that have one. */
      static const char *const tools[] = { "docker", "podman" };
      for (i = 0; i < 2 && resolved == NULL; i++)
        resolved = id_from_engine (tools[i], o.container);
      if (resolved)
        {
          s.want = resolved;
          s.want_len = strlen (resolved);
          scan_reset (&s);
          if (scan_log (&s, o.log) < 0)
            return 2;
        }
    }
  if (s.n_ids == 0)
    {
      fprintf (stderr, "secshim explain: no record of `%s` in %s%s\n", o.container, o.log,
               resolved ? "" : " (not an id prefix there, nor a docker or podman name)");
      return 1;
    }
  if (s.n_ids > 1 || s.too_many)
    {
      fprintf (stderr, "secshim explain: `%s` matches %s%zu containers:", s.want, s.too_many ? "more than " : "",
               s.n_ids);
      for (i = 0; i < s.n_ids; i++)
        fprintf (stderr, " %.12s", s.ids[i]);
      fprintf (stderr, "; give more of the id\n");
      scan_reset (&s);
      return 2;
    }
  s.want = s.ids[0];
  s.want_len = strlen (s.ids[0]);
  s.ids[0] = NULL;
  s.n_ids = 0;
  printf ("container %s: %zu decision%s in %s\n", s.want, s.n_records, s.n_records == 1 ? "" : "s", o.log);
  s.print = true;
  s.n_records = 0;
  rc = scan_log (&s, o.log) < 0 ? 2 : 0;
  free ((char *) s.want);
  scan_reset (&s);
  return rc;
}
