/* Runtime mode: secshim called in place of runc.
 *
 *   argv -> cli model -> passthrough verb: execv(runc) at once
 *                     -> create/run/restore/exec: load policy, read the
 *                        document safely, strict parse, evaluate, refuse or
 *                        write the canonical document atomically, audit,
 *                        execv(runc, canonical argv)
 *
 * Fail closed: anything that cannot be understood on a policed verb refuses
 * the container, with the reason in runc's --log file and on stderr.
 * Lifecycle verbs never read the policy beyond its "runtime" key, so a broken
 * policy cannot stop an existing container from being stopped or deleted. */
#include <string.h>
#include <unistd.h>

#include "secshim/audit.h"
#include "secshim/bundle.h"
#include "secshim/cleanup.h"
#include "secshim/exec.h"
#include "secshim/json.h"
#include "secshim/policy.h"
#include "secshim/hosts.h"
#include "secshim/refusal.h"
#include "secshim/runtime.h"
#include "secshim/spec.h"
#include "secshim/util.h"

/* runc exits 255 when exec fails and 1 for everything else. */
static int
refusal_status (const struct cli_model *m)
{
  return m->verb == VERB_EXEC ? 255 : 1;
}

static bool
is_policed (enum cli_verb v)
{
  return v == VERB_CREATE || v == VERB_RUN || v == VERB_RESTORE || v == VERB_EXEC;
}

static const char *
policy_path_of (const struct cli_model *m)
{
  return m->secshim_policy ? m->secshim_policy : policy_default_path ();
}

static int
passthrough (const struct cli_model *m)
{
  cleanup_free char *from_policy = NULL;
  cleanup_free char *runtime = NULL;
  char **argv;
  secshim_error_t err = NULL;
  size_t i;

  if (m->secshim_runtime == NULL)
    policy_peek_runtime (policy_path_of (m), &from_policy);
  if (runtime_resolve (m->secshim_runtime, from_policy, &runtime, &err) < 0)
    goto fail;
  argv = xzalloc ((m->n_passthrough + 2) * sizeof *argv);
  argv[0] = runtime;
  for (i = 0; i < m->n_passthrough; i++)
    argv[i + 1] = m->passthrough[i];
  runtime_exec (runtime, argv, &err);
  free (argv);
fail:
  dprintf (STDERR_FILENO, "secshim: %s\n", err->msg);
  secshim_error_release (&err);
  return 1;
}

/* Record and report a refusal or an error; returns runc's exit status. */
static int
refuse (const struct cli_model *m, const struct policy *p, const char *bundle, const struct findings *f,
        const char *outcome, const char *message)
{
  struct audit_event ev = {
    .verb = m->verb_name,
    .container_id = m->container_id,
    .bundle = bundle,
    .policy = p,
    .policy_path = policy_path_of (m),
    .findings = f,
    .outcome = outcome,
    .error = message,
  };
  secshim_error_t err = NULL;
  report_refusal (m->log, m->log_format, message);
  if (audit_record (&ev, &err) < 0)
    {
      dprintf (STDERR_FILENO, "secshim: %s\n", err->msg);
      secshim_error_release (&err);
    }
  return refusal_status (m);
}

static void
report_warnings (const struct cli_model *m, const struct findings *f)
{
  size_t i;
  for (i = 0; i < f->n; i++)
    if (f->v[i].action == ACTION_WARN && !f->v[i].exempted)
      {
        cleanup_free char *msg = NULL;
        xasprintf (&msg, "%s: %s: %s", f->v[i].rule, f->v[i].path, f->v[i].message);
        report_warning (m->log, m->log_format, msg);
      }
}

static const char *
outcome_of (const struct findings *f)
{
  size_t i;
  for (i = 0; i < f->n; i++)
    if (f->v[i].action == ACTION_REWRITE && !f->v[i].exempted)
      return "rewritten";
  return "allowed";
}

/* The image the container was made from, where the engine writes it into
 * the document: containerd's CRI and CRI-O annotate it; dockerd 20.10 and
 * podman 4.3 do not (their records have no "image"). */
static const char *
image_of (const struct json_value *doc)
{
  static const char *const keys[]
      = { "io.kubernetes.cri.image-name", "io.kubernetes.cri-o.ImageName", "org.opencontainers.image.ref.name" };
  const struct json_value *ann = json_get (doc, "annotations");
  size_t i;
  for (i = 0; i < sizeof keys / sizeof *keys; i++)
    if (json_string (json_get (ann, keys[i])))
      return json_string (json_get (ann, keys[i]));
  return NULL;
}

/* Parse, check and rewrite one document in place.  Returns 0 when runc may
 * run, 1 when refused (already reported), -1 on error (err set).  The tree
 * goes to *tree, for the caller to free only if execv fails: freeing it was
 * most of what stood between the rewrite and the exec (docs/performance.md). */
/* An allowed decision: warnings to stderr, then its audit record.
 * audit.onFailure: no container starts without its record unless the
 * policy says so (docs/audit.md). */
static int
record_allowed (const struct cli_model *m, const struct policy *p, const char *doc_path,
                const struct findings *findings, secshim_error_t *err)
{
  struct audit_event ev
      = { m->verb_name, m->container_id, doc_path, p, p->path, findings, outcome_of (findings), NULL };
  report_warnings (m, findings);
  if (audit_record (&ev, err) < 0)
    {
      if (audit_failure_refuses (p))
        return secshim_error_wrap (err, "the decision cannot be recorded and the policy's audit.onFailure is "
                                        "\"refuse\" (\"continue\" starts containers anyway)");
      dprintf (STDERR_FILENO, "secshim: %s\n", (*err)->msg);
      secshim_error_release (err);
    }
  return 0;
}

static int
enforce_document (const struct cli_model *m, const struct policy *p, struct doc_file *f, enum doc_kind kind,
                  struct findings *findings, struct json_value **tree, int *memfd, secshim_error_t *err)
{
  struct json_value *doc = NULL;
  cleanup_free char *out = NULL;
  cleanup_free char *doc_path = NULL;
  struct identity id = { m->verb_name, m->container_id, m->root, f->dir, m->systemd_cgroup, m };
  bool refused = false;
  size_t out_len = 0;

  xasprintf (&doc_path, "%s/%s", f->dir, f->name);
  /* A file is parsed a piece at a time, never in memory whole: a large
   * config is not held twice (input and tree). */
  if (doc_file_parse (f, tree, err) < 0)
    return secshim_error_wrap (err, "%s", doc_path);
  doc = *tree;
  if (spec_normalize (doc, kind == DOC_PROCESS ? SPEC_PROCESS : SPEC_CONFIG, err) < 0)
    return secshim_error_wrap (err, "%s", doc_path);
  audit_describe (engine_name (refusal_engine (doc, m->root, f->dir)), image_of (doc));
  if (policy_evaluate (p, doc, kind, host_current (), &id, findings, &refused, err) < 0)
    return secshim_error_wrap (err, "%s", doc_path);
  if (refused)
    {
      cleanup_free char *msg = refusal_message (findings, doc, refusal_engine (doc, m->root, f->dir), p->path);
      refuse (m, p, doc_path, findings, "refused", msg);
      return 1;
    }
  /* The one step that touches the host, now that the container is allowed
   * (loading its AppArmor profile); a failure refuses it. */
  if (policy_apply (findings, host_current (), err) < 0)
    return secshim_error_wrap (err, "%s", doc_path);
  /* A stream (exec -p <(...)) was read once: runc gets the checked bytes
   * in a memfd.  A file is replaced atomically, its new bytes written a
   * piece at a time. */
  if (memfd)
    {
      if (json_write (doc, &out, &out_len, err) < 0)
        return -1;
      if ((*memfd = doc_sealed_memfd ("secshim-process", out, out_len, err)) < 0)
        return -1;
    }
  else if (doc_file_write_tree (f, doc, err) < 0)
    return -1;
  return record_allowed (m, p, doc_path, findings, err);
}

/* Inline `runc exec` (no --process): runc builds the process from the
 * bundle's config.json, judged at create, and the flags on top.  The rules
 * that own each flag's field judge it (DOC_ARGV); the verdict is recorded
 * and reported like a document's.  Returns 0, 1 when refused (reported),
 * -1 on error. */
static int
judge_flags (const struct cli_model *m, const struct policy *p, struct findings *findings, secshim_error_t *err)
{
  cleanup_with (json_free) struct json_value *empty = json_new_object ();
  struct identity id = { m->verb_name, m->container_id, m->root, NULL, m->systemd_cgroup, m };
  bool refused = false;

  if (policy_evaluate (p, empty, DOC_ARGV, host_current (), &id, findings, &refused, err) < 0)
    return -1;
  if (refused)
    {
      cleanup_free char *msg = refusal_message (findings, NULL, ENGINE_OCI, p->path);
      refuse (m, p, NULL, findings, "refused", msg);
      return 1;
    }
  return record_allowed (m, p, NULL, findings, err);
}

static int
open_document (const struct cli_model *m, struct doc_file *f, secshim_error_t *err)
{
  if (m->verb == VERB_EXEC)
    return doc_file_open_path (m->process, JSON_DEFAULT_MAX_BYTES, f, err);
  return doc_file_open (m->bundle, "config.json", JSON_DEFAULT_MAX_BYTES, f, err);
}

static int
policed (const struct cli_model *m)
{
  cleanup_with (policy_free) struct policy *p = NULL;
  cleanup_with (json_free) struct json_value *doc = NULL;
  cleanup_free char *runtime = NULL;
  cleanup_free char *process_fd = NULL;
  struct doc_file f = { .dirfd = -1, .fd = -1 };
  int memfd = -1;
  struct findings findings = { 0 };
  secshim_error_t err = NULL;
  char **argv = NULL;
  int ret;

  if (policy_load_file (policy_path_of (m), &p, &err) < 0)
    goto error;
  if (runtime_resolve (m->secshim_runtime, p->runtime, &runtime, &err) < 0)
    goto error;
  /* The findings are freed only when no exec follows: the exec drops them
   * with the rest of the process (58 frees of a docker create). */
  if (m->verb == VERB_EXEC && m->process == NULL)
    {
      ret = judge_flags (m, p, &findings, &err);
      if (ret != 0)
        findings_free (&findings);
      if (ret > 0)
        return refusal_status (m);
      if (ret < 0)
        goto error;
    }
  else
    {
      bool stream = m->verb == VERB_EXEC && doc_path_is_stream (m->process);
      if ((stream ? doc_stream_read (m->process, JSON_DEFAULT_MAX_BYTES, &f, &err) : open_document (m, &f, &err)) < 0)
        goto error;
      ret = enforce_document (m, p, &f, m->verb == VERB_EXEC ? DOC_PROCESS : DOC_CONFIG, &findings, &doc,
                              stream ? &memfd : NULL, &err);
      if (memfd >= 0)
        xasprintf (&process_fd, "/proc/self/fd/%d", memfd);
      if (ret != 0)
        {
          findings_free (&findings);
          doc_file_close (&f);
          if (ret > 0)
            return refusal_status (m);
          goto error;
        }
    }
  argv = cli_canonical_argv (m, runtime, m->verb == VERB_EXEC ? NULL : f.dir, process_fd);
  if (argv == NULL)
    secshim_make_error (&err, SECSHIM_EINPUT, "argv: cannot build the runtime's command line");
  else
    runtime_exec (runtime, argv, &err);
  cli_argv_free (argv);
  findings_free (&findings);
  doc_file_close (&f);

error:
  {
    int status = refuse (m, p, f.dir, NULL, "error", err->msg);
    secshim_error_release (&err);
    return status;
  }
}

int
runtime_main (int argc, char **argv)
{
  struct cli_model m = { 0 };
  secshim_error_t err = NULL;
  int status;

  /* Every path below either execs runc or returns here with a status; the
   * model is freed on the way out so that sanitizer builds see no leak. */
  if (cli_parse (argc, argv, &m, &err) < 0)
    {
      status = refuse (&m, NULL, NULL, NULL, "error", err->msg);
      secshim_error_release (&err);
    }
  else if (m.verb == VERB_UPDATE)
    status = update_main (&m);
  else if (!is_policed (m.verb))
    status = passthrough (&m);
  else
    status = policed (&m);
  cli_model_free (&m);
  return status;
}
