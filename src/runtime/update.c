/* Runtime mode, `runc update`: an update may not lift the limits that the
 * resources rule requires.
 *
 * Only enforced when the policy enables rule "resources" with action
 * reject; otherwise the (already strictly parsed) argv goes to runc as is.
 *
 *  - `--resources FILE` and `--resources -` (stdin): runc reads a
 *    LinuxResources document and ignores every inline flag.  secshim reads
 *    it once, strictly (json_parse + spec_normalize(SPEC_RESOURCES)), checks
 *    it with resources_update_refusal(), and hands runc the canonical bytes
 *    it checked through a sealed memfd, as --resources=/proc/self/fd/N.  So
 *    runc can neither read a file swapped after the check nor a stdin
 *    secshim has already consumed, and nothing is left behind on disk (a
 *    memfd instead of a temp file under /run/secshim: no name to race, no
 *    cleanup after execv).
 *  - inline flags: --memory -1 (runc's "unlimited"), --pids-limit 0 or
 *    below, a negative --cpu-quota, and --cpu-period without a positive
 *    --cpu-quota (runc then writes cpu.max "max <period>") are refused.
 *    Values secshim does not read the way runc does (--pids-limit 0x10)
 *    are refused rather than guessed. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../rules/resources.h"
#include "secshim/audit.h"
#include "secshim/bundle.h"
#include "secshim/cleanup.h"
#include "secshim/exec.h"
#include "secshim/json.h"
#include "secshim/policy.h"
#include "secshim/runtime.h"
#include "secshim/spec.h"
#include "secshim/util.h"

DEFINE_CLEANUP_FUNC (struct json_value *, json_free)
DEFINE_CLEANUP_FUNC (struct policy *, policy_free)

#define RESOURCES_MAX_BYTES ((size_t) 1024 * 1024)

static const char *
policy_path_of (const struct cli_model *m)
{
  return m->secshim_policy ? m->secshim_policy : policy_default_path ();
}

/* Returns -1 when the record failed and audit.onFailure refuses (the
 * caller refuses the update), else 1. */
static int
record (const struct cli_model *m, const struct policy *p, const char *outcome, const char *message)
{
  struct audit_event ev = {
    .verb = m->verb_name,
    .container_id = m->container_id,
    .policy = p,
    .policy_path = policy_path_of (m),
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

/* The resources rule's requirements when it enforces, else NULL. */
static const struct resources_requirements *
enforced_requirements (const struct policy *p)
{
  size_t i;
  for (i = 0; i < p->n_rules; i++)
    if (strcmp (p->rules[i].ops->name, "resources") == 0 && p->rules[i].action == ACTION_REJECT)
      return p->rules[i].state;
  return NULL;
}

static int
read_resources (const char *file, char **buf, size_t *len, secshim_error_t *err)
{
  cleanup_close int fd = -1;
  fd = strcmp (file, "-") == 0 ? fcntl (STDIN_FILENO, F_DUPFD_CLOEXEC, 3) : open (file, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return secshim_make_error (err, errno, "update: open --resources `%s`", file);
  if (read_all_fd (fd, RESOURCES_MAX_BYTES, buf, len) < 0)
    return secshim_make_error (err, errno == EFBIG ? SECSHIM_EINPUT : errno, "update: read --resources `%s`", file);
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

/* Check the --resources document; on success point the flag at a memfd
 * with the checked bytes.  Returns 0, 1 when refused (*why set), -1 on
 * error. */
static int
police_resources_file (struct cli_model *m, const struct resources_requirements *req, char **why, secshim_error_t *err)
{
  cleanup_with (json_free) struct json_value *doc = NULL;
  cleanup_free char *buf = NULL;
  cleanup_free char *out = NULL;
  cleanup_free char *fd_path = NULL;
  const char *file = cli_flag_value (m, "resources");
  size_t len = 0, out_len = 0;
  int fd;

  if (read_resources (file, &buf, &len, err) < 0)
    return -1;
  if (json_parse (buf, len, NULL, &doc, err) < 0 || spec_normalize (doc, SPEC_RESOURCES, err) < 0)
    return secshim_error_wrap (err, "update: --resources %s", file);
  *why = resources_update_refusal (req, doc);
  if (*why)
    return 1;
  if (json_write (doc, &out, &out_len, err) < 0)
    return -1;
  fd = doc_sealed_memfd ("secshim-resources", out, out_len, err);
  if (fd < 0)
    return -1;
  xasprintf (&fd_path, "/proc/self/fd/%d", fd);
  replace_flag_value (m, "resources", fd_path);
  return 0;
}

static bool
is_negative (const char *v)
{
  return v && v[0] == '-';
}

static char *
inline_refusal (const struct cli_model *m, const struct resources_requirements *req)
{
  const char *memory = cli_flag_value (m, "memory");
  const char *pids = cli_flag_value (m, "pids-limit");
  const char *quota = cli_flag_value (m, "cpu-quota");
  const char *period = cli_flag_value (m, "cpu-period");
  char *msg = NULL;
  int64_t n = 0;

  if (req->memory && is_negative (memory))
    xasprintf (&msg, "update: --memory %s would remove the memory limit", memory);
  else if (req->pids && pids && (parse_i64 (pids, &n) < 0 || n <= 0))
    xasprintf (&msg, "update: --pids-limit %s would remove the pids limit (a positive decimal is required)", pids);
  else if (req->cpu && is_negative (quota))
    xasprintf (&msg, "update: --cpu-quota %s would remove the CPU quota", quota);
  else if (req->cpu && period && !(quota && parse_i64 (quota, &n) == 0 && n > 0))
    xasprintf (&msg, "update: --cpu-period without a positive --cpu-quota would remove the CPU quota");
  return msg;
}

int
update_main (struct cli_model *m)
{
  cleanup_with (policy_free) struct policy *p = NULL;
  cleanup_free char *runtime = NULL;
  cleanup_free char *why = NULL;
  const struct resources_requirements *req;
  secshim_error_t err = NULL;
  char **argv;

  if (policy_load_file (policy_path_of (m), &p, &err) < 0
      || runtime_resolve (m->secshim_runtime, p->runtime, &runtime, &err) < 0)
    goto error;
  req = enforced_requirements (p);
  if (req && cli_flag_value (m, "resources"))
    {
      int ret = police_resources_file (m, req, &why, &err);
      if (ret < 0)
        goto error;
    }
  else if (req)
    why = inline_refusal (m, req);
  if (why)
    return record (m, p, "refused", why);
  if (record (m, p, "allowed", NULL) < 0)
    return record (m, p, "error",
                   "the decision cannot be recorded and the policy's audit.onFailure is \"refuse\" "
                   "(\"allow\" lets updates through anyway)");
  argv = cli_canonical_argv (m, runtime, NULL, NULL);
  if (argv == NULL)
    secshim_make_error (&err, SECSHIM_EINPUT, "argv: cannot build the runtime's command line");
  else
    runtime_exec (runtime, argv, &err);
  cli_argv_free (argv);

error:
  record (m, p, "error", err->msg);
  secshim_error_release (&err);
  return 1;
}
