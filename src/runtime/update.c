/* Runtime mode, `runc update`: an update may not lift the limits that the
 * resources rule requires.  The rule decides (src/rules/resources.c); this
 * file reads what runc will read and hands it over.
 *
 *  - `--resources FILE` and `--resources -` (stdin): runc reads a
 *    LinuxResources document and ignores every inline flag.  secshim reads
 *    it once, strictly (json_parse + spec_normalize(SPEC_RESOURCES)), has
 *    the rules judge it (DOC_RESOURCES), and hands runc the canonical bytes
 *    it checked through a sealed memfd, as --resources=/proc/self/fd/N.  So
 *    runc can neither read a file swapped after the check nor a stdin
 *    secshim has already consumed, and nothing is left behind on disk.
 *  - inline flags (--memory -1, --pids-limit 0, ...): judged by the same
 *    rule from runc's command line (DOC_ARGV).
 * The decision is recorded like a container's, findings included. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "secshim/audit.h"
#include "secshim/bundle.h"
#include "secshim/cleanup.h"
#include "secshim/file.h"
#include "secshim/exec.h"
#include "secshim/json.h"
#include "secshim/policy.h"
#include "secshim/hosts.h"
#include "secshim/refusal.h"
#include "secshim/runtime.h"
#include "secshim/spec.h"
#include "secshim/util.h"

#define RESOURCES_MAX_BYTES ((size_t) 1024 * 1024)

static const char *
policy_path_of (const struct cli_model *m)
{
  return m->secshim_policy ? m->secshim_policy : policy_default_path ();
}

/* Returns -1 when the record failed and audit.onFailure refuses (the
 * caller refuses the update), else 1. */
static int
record (const struct cli_model *m, const struct policy *p, const struct findings *f, const char *outcome,
        const char *message)
{
  struct audit_event ev = {
    .verb = m->verb_name,
    .container_id = m->container_id,
    .policy = p,
    .policy_path = policy_path_of (m),
    .findings = f,
    .outcome = outcome,
    .error = message,
  };
  secshim_error_t err = NULL;
  if (message)
    report_refusal (m->log, m->log_format, message);
  if (audit_record (&ev, &err) < 0)
    {
      bool refuses = message == NULL && audit_failure_refuses (p);
      dprintf (STDERR_FILENO, "secshim: %s\n", err->msg);
      secshim_error_release (&err);
      if (refuses)
        return -1;
    }
  return 1;
}

static int
read_resources (const char *file, char **buf, size_t *len, secshim_error_t *err)
{
  int r = file_read_input (file, RESOURCES_MAX_BYTES, buf, len);

  if (r == -EFBIG)
    return secshim_make_error (err, SECSHIM_EINPUT, "update: read --resources `%s`", file);
  if (r < 0)
    return secshim_make_error (err, -r, "update: open --resources `%s`", file);
  return 0;
}

static void
replace_flag_value (struct cli_model *m, const char *name, const char *value)
{
  size_t i;
  for (i = 0; i < m->n_flags; i++)
    if (strcmp (m->flags[i].name, name) == 0)
      {
        free (m->flags[i].value);
        m->flags[i].value = xstrdup (value);
      }
}

/* The rules judge what runc will read: the --resources document (DOC_RESOURCES),
 * or the inline flags (DOC_ARGV).  The document's canonical bytes go to
 * *out for the memfd.  Returns 0, or -1 with err set. */
static int
judge (struct cli_model *m, const struct policy *p, struct findings *f, bool *refused, char **out, size_t *out_len,
       secshim_error_t *err)
{
  cleanup_with (json_free) struct json_value *doc = NULL;
  cleanup_free char *buf = NULL;
  const char *file = cli_flag_value (m, "resources");
  struct identity id = { m->verb_name, m->container_id, m->root, NULL, m->systemd_cgroup, m };
  size_t len = 0;

  if (file == NULL || file[0] == '\0')
    {
      doc = json_new_object ();
      return policy_evaluate (p, doc, DOC_ARGV, host_current (), &id, f, refused, err);
    }
  if (read_resources (file, &buf, &len, err) < 0)
    return -1;
  if (json_parse (buf, len, NULL, &doc, err) < 0 || spec_normalize (doc, SPEC_RESOURCES, err) < 0)
    return secshim_error_wrap (err, "update: --resources %s", file);
  if (policy_evaluate (p, doc, DOC_RESOURCES, host_current (), &id, f, refused, err) < 0)
    return -1;
  return json_write (doc, out, out_len, err);
}

/* Point --resources at a sealed memfd holding the bytes judged. */
static int
hand_over (struct cli_model *m, const char *bytes, size_t len, secshim_error_t *err)
{
  cleanup_free char *fd_path = NULL;
  int fd = doc_sealed_memfd ("secshim-resources", bytes, len, err);
  if (fd < 0)
    return -1;
  xasprintf (&fd_path, "/proc/self/fd/%d", fd);
  replace_flag_value (m, "resources", fd_path);
  return 0;
}

static bool
rule_enabled (const struct policy *p, const char *name)
{
  size_t i;
  for (i = 0; i < p->n_rules; i++)
    if (strcmp (p->rules[i].ops->name, name) == 0)
      return true;
  return false;
}

int
update_main (struct cli_model *m)
{
  cleanup_with (policy_free) struct policy *p = NULL;
  cleanup_free char *runtime = NULL;
  cleanup_free char *out = NULL;
  struct findings f = { 0 };
  secshim_error_t err = NULL;
  bool refused = false;
  size_t out_len = 0;
  char **argv;

  if (policy_load_file (policy_path_of (m), &p, &err) < 0
      || runtime_resolve (m->secshim_runtime, p->runtime, &runtime, &err) < 0)
    goto error;
  /* Without the rule nothing is judged, and runc reads what it was given. */
  if (rule_enabled (p, "resources"))
    {
      if (judge (m, p, &f, &refused, &out, &out_len, &err) < 0)
        goto error;
      if (refused)
        {
          cleanup_free char *msg = refusal_message (&f, NULL, ENGINE_OCI, p->path);
          int status = record (m, p, &f, "refused", msg);
          findings_free (&f);
          return status;
        }
      if (out && hand_over (m, out, out_len, &err) < 0)
        goto error;
    }
  if (record (m, p, &f, "allowed", NULL) < 0)
    {
      findings_free (&f);
      return record (m, p, NULL, "error",
                     "the decision cannot be recorded and the policy's audit.onFailure is \"refuse\" "
                     "(\"allow\" lets updates through anyway)");
    }
  findings_free (&f);
  argv = cli_canonical_argv (m, runtime, NULL, NULL);
  if (argv == NULL)
    secshim_make_error (&err, SECSHIM_EINPUT, "argv: cannot build the runtime's command line");
  else
    runtime_exec (runtime, argv, &err);
  cli_argv_free (argv);

error:
  findings_free (&f);
  record (m, p, NULL, "error", err->msg);
  secshim_error_release (&err);
  return 1;
}
