/* `secshim check [--policy FILE] [--format text|json] [--output FILE]
 *                [--config|--process] [--id ID] [--root DIR] [--verbose] FILE`
 *
 * Evaluates a config.json or process.json offline with exactly the code that
 * runs at container start (same loader, schema, policy, rules and host), and
 * prints the findings PSA-style: rule, field, reason; --verbose shows the
 * before/after values whole instead of shortened.  With --output the
 * rewritten document is written there.  --id and --root stand for the
 * container id and runc --root an engine would pass, so that exemptions
 * matching on them can be tried offline.  Exit 0: allowed (perhaps with
 * rewrites); 1: refused; 2: unusable input or policy. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "secshim/cleanup.h"
#include "secshim/file.h"
#include "secshim/json.h"
#include "secshim/policy.h"
#include "secshim/hosts.h"
#include "secshim/runtime.h"
#include "secshim/seccomp.h"
#include "secshim/spec.h"
#include "secshim/util.h"

struct check_opts
{
  const char *policy;
  const char *format;
  const char *output;
  const char *file;
  const char *id;
  const char *root;
  const char *export_bpf;
  int kind; /* 0 = guess */
  bool verbose;
  bool systemd_cgroup; /* judge cgroupsPath as runc --systemd-cgroup reads it */
};

static const char usage_text[]
    = "usage: secshim check [--policy FILE] [--format text|json] [--output FILE] [--config|--process]\n"
      "                     [--id ID] [--root DIR] [--systemd-cgroup] [--export-bpf FILE] [--verbose] FILE\n"
      "Evaluate a config.json or process.json (FILE, or - for stdin) offline, exactly as at container start.\n"
      "Exit status: 0 allowed (perhaps rewritten), 1 refused, 2 unusable document or policy.\n";

static int
usage (FILE *to, int status)
{
  fputs (usage_text, to);
  return status;
}

/* The value options, as "--name VALUE" or "--name=VALUE". */
static const char **
value_slot (struct check_opts *o, const char *name, size_t len)
{
  static const struct
  {
    const char *name;
    size_t offset;
  } slots[] = {
    { "--policy", offsetof (struct check_opts, policy) }, { "--format", offsetof (struct check_opts, format) },
    { "--output", offsetof (struct check_opts, output) }, { "--id", offsetof (struct check_opts, id) },
    { "--root", offsetof (struct check_opts, root) },     { "--export-bpf", offsetof (struct check_opts, export_bpf) },
  };
  size_t i;
  for (i = 0; i < sizeof slots / sizeof slots[0]; i++)
    if (strlen (slots[i].name) == len && strncmp (slots[i].name, name, len) == 0)
      return (const char **) ((char *) o + slots[i].offset);
  return NULL;
}

/* 0 parsed, 1 help asked for, -1 usage error (message printed). */
static int
parse_opts (int argc, char **argv, struct check_opts *o)
{
  int i;
  for (i = 1; i < argc; i++)
    {
      const char *a = argv[i];
      const char *eq = strchr (a, '=');
      const char **slot = a[0] == '-' ? value_slot (o, a, eq ? (size_t) (eq - a) : strlen (a)) : NULL;
      if (slot && eq)
        *slot = eq + 1;
      else if (slot && i + 1 < argc)
        *slot = argv[++i];
      else if (slot)
        return fprintf (stderr, "secshim check: %s needs a value\n", a), -1;
      else if (strcmp (a, "--help") == 0 || strcmp (a, "-h") == 0)
        return 1;
      else if (strcmp (a, "--config") == 0)
        o->kind = DOC_CONFIG;
      else if (strcmp (a, "--process") == 0)
        o->kind = DOC_PROCESS;
      else if (strcmp (a, "--verbose") == 0 || strcmp (a, "-v") == 0)
        o->verbose = true;
      else if (strcmp (a, "--systemd-cgroup") == 0)
        o->systemd_cgroup = true;
      else if (a[0] == '-' && a[1] != '\0')
        return fprintf (stderr, "secshim check: unknown option `%s`\n", a), -1;
      else if (o->file == NULL)
        o->file = a;
      else
        return fprintf (stderr, "secshim check: one FILE only (`%s` and `%s`)\n", o->file, a), -1;
    }
  if (o->file == NULL)
    return fprintf (stderr, "secshim check: no FILE given\n"), -1;
  if (strcmp (o->format, "text") != 0 && strcmp (o->format, "json") != 0)
    return fprintf (stderr, "secshim check: --format is text or json, not `%s`\n", o->format), -1;
  return 0;
}

/* A config.json has at least one of the Spec's own top-level keys; a
 * process.json (exec) is a bare Process. */
static enum doc_kind
guess_kind (const struct json_value *doc)
{
  static const char *const spec_keys[] = { "ociVersion", "process", "root", "mounts", "linux", "hooks" };
  size_t i;
  for (i = 0; i < sizeof spec_keys / sizeof spec_keys[0]; i++)
    if (json_get (doc, spec_keys[i]))
      return DOC_CONFIG;
  return DOC_PROCESS;
}

/* The document, parsed: a regular file a piece at a time (a large one is
 * never in memory whole), anything else (stdin, a pipe) read whole. */
static int
parse_input (const char *file, struct json_value **doc, secshim_error_t *err)
{
  cleanup_close int fd = -1;
  cleanup_free char *buf = NULL;
  secshim_error_t perr = NULL;
  struct stat st;
  size_t len = 0;
  int r;

  if (strcmp (file, "-") == 0)
    {
      fd = fcntl (STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
      r = fd < 0 || fstat (fd, &st) < 0 ? -errno : 0;
    }
  else
    /* No FILE_REGULAR: a FIFO (`-p <(...)`) is read whole below. */
    r = fd = file_open_at (AT_FDCWD, file, 0, 0, JSON_DEFAULT_MAX_BYTES, &st);
  if (r == -EFBIG)
    return secshim_make_error (err, SECSHIM_EINPUT, "read `%s`", file);
  if (r < 0)
    return secshim_make_error (err, -r, "open `%s`", file);
  if (!S_ISREG (st.st_mode))
    {
      if (read_all_fd (fd, JSON_DEFAULT_MAX_BYTES, &buf, &len) < 0)
        return secshim_make_error (err, errno == EFBIG ? SECSHIM_EINPUT : errno, "read `%s`", file);
      if (json_parse (buf, len, NULL, doc, err) < 0)
        return secshim_error_wrap (err, "%s", file);
      return 0;
    }
  if (json_parse_fd (fd, (size_t) st.st_size, NULL, doc, NULL, &perr) == 0)
    return 0;
  if (perr->status == SECSHIM_EINPUT)
    {
      *err = steal_pointer (&perr);
      return secshim_error_wrap (err, "%s", file);
    }
  /* as when the file was read whole */
  secshim_make_error (err, perr->status == EFBIG ? SECSHIM_EINPUT : perr->status, "read `%s`", file);
  secshim_error_release (&perr);
  return -1;
}

static const char *
verdict_of (const struct findings *f, bool refused)
{
  size_t i;
  if (refused)
    return "refused";
  for (i = 0; i < f->n; i++)
    if (f->v[i].action == ACTION_REWRITE && !f->v[i].exempted)
      return "rewritten";
  return "allowed";
}

static bool
is_refusal (const struct finding *x)
{
  return x->action == ACTION_REJECT && !x->exempted;
}

static bool
is_rewrite (const struct finding *x)
{
  return x->action == ACTION_REWRITE && !x->exempted;
}

static void
print_finding (const struct finding *x)
{
  printf ("  %-7s %s: %s: %s", x->exempted ? "exempt" : action_name (x->action), x->rule, x->path, x->message);
  if (x->before || x->after)
    printf (" [%s -> %s]", x->before ? x->before : "absent", x->after ? x->after : "unchanged");
  printf ("\n");
}

/* The verdict and its counts on the first line, then what refused, then
 * what was rewritten, then what was only recorded: the reason a container
 * does not start must not hide among dozens of rewrites. */
static void
print_text (const struct check_opts *o, const struct policy *p, const struct findings *f, bool refused,
            const char *seccomp)
{
  size_t i, n_refused = 0, n_rewritten = 0;
  for (i = 0; i < f->n; i++)
    {
      n_refused += is_refusal (&f->v[i]);
      n_rewritten += is_rewrite (&f->v[i]);
    }
  printf ("%s: %s: %zu refusal%s, %zu rewrite%s, %zu recorded (policy %s)\n", o->file, verdict_of (f, refused),
          n_refused, n_refused == 1 ? "" : "s", n_rewritten, n_rewritten == 1 ? "" : "s",
          f->n - n_refused - n_rewritten, p->path);
  for (i = 0; i < f->n; i++)
    if (is_refusal (&f->v[i]))
      print_finding (&f->v[i]);
  for (i = 0; i < f->n; i++)
    if (is_rewrite (&f->v[i]))
      print_finding (&f->v[i]);
  for (i = 0; i < f->n; i++)
    if (!is_refusal (&f->v[i]) && !is_rewrite (&f->v[i]))
      print_finding (&f->v[i]);
  if (seccomp)
    printf ("  seccomp filter runc would load: %s", seccomp);
}

static int
print_json (const struct check_opts *o, const struct policy *p, const struct findings *f, bool refused,
            const char *seccomp, secshim_error_t *err)
{
  cleanup_with (json_free) struct json_value *r = json_new_object ();
  cleanup_free char *out = NULL;
  struct json_value *arr = json_new_array ();
  size_t i, len;

  json_set (r, "file", json_new_string (o->file));
  json_set (r, "verdict", json_new_string (verdict_of (f, refused)));
  json_set (r, "policy", json_new_string (p->path));
  json_set (r, "policySha256", json_new_string (p->sha256));
  for (i = 0; i < f->n; i++)
    {
      struct json_value *x = json_new_object ();
      json_set (x, "rule", json_new_string (f->v[i].rule));
      json_set (x, "path", json_new_string (f->v[i].path));
      json_set (x, "action", json_new_string (action_name (f->v[i].action)));
      json_set (x, "message", json_new_string (f->v[i].message));
      if (f->v[i].before)
        json_set (x, "before", json_new_string (f->v[i].before));
      if (f->v[i].after)
        json_set (x, "after", json_new_string (f->v[i].after));
      json_set (x, "exempted", json_new_bool (f->v[i].exempted));
      json_array_append (arr, x);
    }
  json_set (r, "findings", arr);
  if (seccomp)
    json_set (r, "seccomp", json_new_string (seccomp));
  if (json_write (r, &out, &len, err) < 0)
    return -1;
  printf ("%s\n", out);
  return 0;
}

static int
write_output (const char *path, const struct json_value *doc, secshim_error_t *err)
{
  cleanup_free char *out = NULL;
  cleanup_close int fd = -1;
  size_t len;
  if (json_write (doc, &out, &len, err) < 0)
    return -1;
  fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0 || write_all_fd (fd, out, len) < 0)
    return secshim_make_error (err, errno, "write `%s`", path);
  return 0;
}

/* The filter of the document as it would reach runc: its size per
 * architecture and which dangerous families it blocks (issue: "check
 * reports the profile's size and what it blocks"), and on request its BPF
 * (scmp_bpf_disasm-readable).  NULL text when the document has none. */
static int
describe_seccomp (const struct check_opts *o, const struct json_value *doc, char **text, secshim_error_t *err)
{
  const struct json_value *profile = json_get_path (doc, "linux.seccomp");
  cleanup_close int fd = -1;

  *text = NULL;
  if (profile == NULL)
    return 0;
  if (seccomp_describe (profile, text, err) < 0)
    return -1;
  if (o->export_bpf == NULL)
    return 0;
  fd = open (o->export_bpf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return secshim_make_error (err, errno, "write `%s`", o->export_bpf);
  return seccomp_export_bpf_fd (profile, fd, err);
}

static int
run_check (const struct check_opts *o, secshim_error_t *err)
{
  cleanup_with (policy_free) struct policy *p = NULL;
  cleanup_with (json_free) struct json_value *doc = NULL;
  cleanup_free char *dir_copy = NULL;
  struct findings f = { .full_values = o->verbose };
  cleanup_free char *seccomp = NULL;
  char bundle[PATH_MAX];
  struct identity id = { "check", o->id, o->root, NULL, o->systemd_cgroup };
  enum doc_kind kind;
  bool refused = false;
  int ret = -1;

  /* What admins and CI run to vet a policy: load and validate it in full,
   * whatever compiled policy /run/secshim holds, and write none: check
   * never changes the host. */
  policy_cache_set (true, NULL);
  if (policy_load_file (o->policy, &p, err) < 0 || parse_input (o->file, &doc, err) < 0)
    return -1;
  kind = o->kind ? (enum doc_kind) o->kind : guess_kind (doc);
  if (spec_normalize (doc, kind == DOC_PROCESS ? SPEC_PROCESS : SPEC_CONFIG, err) < 0)
    return secshim_error_wrap (err, "%s", o->file);
  /* Relative mount sources resolve against the bundle: the file's directory. */
  dir_copy = xstrdup (o->file);
  if (strcmp (o->file, "-") != 0 && realpath (dirname (dir_copy), bundle))
    id.bundle = bundle;
  if (policy_evaluate (p, doc, kind, host_current (), &id, &f, &refused, err) < 0)
    {
      secshim_error_wrap (err, "%s", o->file);
      goto out;
    }
  if (!refused && kind == DOC_CONFIG && describe_seccomp (o, doc, &seccomp, err) < 0)
    goto out;
  if (strcmp (o->format, "json") == 0 ? print_json (o, p, &f, refused, seccomp, err) < 0
                                      : (print_text (o, p, &f, refused, seccomp), 0))
    goto out;
  if (o->output && !refused && write_output (o->output, doc, err) < 0)
    goto out;
  ret = refused ? 1 : 0;
out:
  findings_free (&f);
  return ret;
}

int
check_main (int argc, char **argv)
{
  struct check_opts o = { .policy = policy_default_path (), .format = "text" };
  secshim_error_t err = NULL;
  int ret;

  switch (parse_opts (argc, argv, &o))
    {
    case 1:
      return usage (stdout, 0);
    case -1:
      return usage (stderr, 2);
    }
  ret = run_check (&o, &err);
  if (ret < 0)
    {
      fprintf (stderr, "secshim check: %s\n", err->msg);
      secshim_error_release (&err);
      return 2;
    }
  return ret;
}
