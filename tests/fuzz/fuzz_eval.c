/* Fuzz target: a whole decision, as `secshim create` takes it, under the
 * shipped default policy with a fake host (host.h):
 *
 *   json_parse -> spec_normalize -> policy_evaluate -> json_write
 *
 * Invariants:
 *  - no crash, leak or hang on any input;
 *  - a refusal has a message, and findings_refusal_message names it;
 *  - an accepted (maybe rewritten) document is idempotent: parsing the
 *    written output and evaluating it again is accepted, rewrites nothing
 *    and writes the same bytes (security.md §2.3, T13);
 *  - an accepted document that runc would start (it has cwd and args, see
 *    runc's validateProcessSpec) runs as non-root with no_new_privileges
 *    (the promises of policy/default.json; see docs/policy.md).
 *
 * The document kind is guessed from its shape, so one corpus covers both
 * config.json and exec's process.json: an object with "ociVersion", "root"
 * or "process" is a config, anything else a process. */
#include <string.h>

#include "fuzz.h"
#include "secshim/cleanup.h"
#include "secshim/host.h"
#include "secshim/hosts.h"
#include "secshim/json.h"
#include "secshim/policy.h"
#include "secshim/spec.h"

#define POLICY_FILE FUZZ_POLICY_DIR "/default.json"

/* The fake host cannot load AppArmor profiles (apparmor_ensure NULL makes
 * the apparmor rule fail closed); pretend every load succeeds, as on a host
 * where apparmor_parser works, so that evaluation goes on past that rule. */
static int
fake_apparmor_ensure (const struct host *h, const char *name, const char *text, size_t len, secshim_error_t *err)
{
  return 0;
}

static struct policy *policy;
static struct host host;

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  secshim_error_t err = NULL;
  const char *path = getenv ("FUZZ_POLICY");

  if (path == NULL)
    path = POLICY_FILE;
  if (policy_load_file (path, &policy, &err) < 0)
    {
      fprintf (stderr, "fuzz_eval: cannot load %s: %s\n", path, fuzz_msg (err));
      exit (1);
    }
  host_fake_init (&host, true, true);
  host.apparmor_ensure = fake_apparmor_ensure;
  return 0;
}

static bool
rewrote_something (const struct findings *f)
{
  for (size_t i = 0; i < f->n; i++)
    if (f->v[i].action == ACTION_REWRITE && !f->v[i].exempted)
      return true;
  return false;
}

/* Evaluate doc; on acceptance return its serialisation (malloc'd), else NULL. */
static char *
decide (struct json_value *doc, enum doc_kind kind, size_t *len, struct findings *findings)
{
  secshim_error_t err = NULL;
  struct identity id
      = { .verb = kind == DOC_CONFIG ? "create" : "exec", .container_id = "fuzz", .bundle = "/run/fuzz/bundle" };
  bool refused = false;
  char *out = NULL;

  if (spec_normalize (doc, kind == DOC_CONFIG ? SPEC_CONFIG : SPEC_PROCESS, &err) < 0)
    {
      FUZZ_ASSERT (err && err->msg && err->msg[0], "schema refusal without a message");
      secshim_error_release (&err);
      return NULL;
    }
  if (policy_evaluate (policy, doc, kind, &host, &id, findings, &refused, &err) < 0)
    {
      /* The only input refusal evaluation makes is a config without a
       * process (runc refuses it too); anything else is an internal error. */
      FUZZ_ASSERT (err && err->status == SECSHIM_EINPUT && kind == DOC_CONFIG
                       && !json_is (json_get (doc, "process"), JSON_OBJECT),
                   "policy_evaluate failed internally: %s", fuzz_msg (err));
      secshim_error_release (&err);
      return NULL;
    }
  if (refused)
    {
      cleanup_free char *msg = findings_refusal_message (findings);
      FUZZ_ASSERT (msg && msg[0], "refusal without a message");
      return NULL;
    }
  FUZZ_ASSERT (json_write (doc, &out, len, &err) == 0, "json_write: %s", fuzz_msg (err));
  return out;
}

static void
check_promises (const struct json_value *doc, enum doc_kind kind, const char *out)
{
  const struct json_value *process = kind == DOC_CONFIG ? json_get (doc, "process") : doc;
  const struct json_value *uid = json_get_path (process, "user.uid");
  const struct json_value *cwd = json_get (process, "cwd"), *args = json_get (process, "args");
  uint32_t u = 0;

  /* runc's validateProcessSpec refuses a process without cwd or args: such a
   * document never starts anything, whatever it says about the user. */
  if (!json_string (cwd) || !json_string (cwd)[0] || !json_is (args, JSON_ARRAY) || args->count == 0)
    return;
  /* Absent uid is 0 to runc (Go's zero value). */
  FUZZ_ASSERT (uid && json_get_u32 (uid, &u) == 0 && u != 0, "accepted a document running as uid 0\n%s", out);
  FUZZ_ASSERT (json_is_true (json_get (process, "noNewPrivileges")), "accepted without noNewPrivileges\n%s", out);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  secshim_error_t err = NULL;
  cleanup_with (json_free) struct json_value *doc = NULL;
  cleanup_with (json_free) struct json_value *again = NULL;
  cleanup_free char *out = NULL, *out2 = NULL;
  struct findings f1 = { 0 }, f2 = { 0 };
  enum doc_kind kind;
  size_t len = 0, len2 = 0;

  if (json_parse ((const char *) data, size, NULL, &doc, &err) < 0)
    {
      secshim_error_release (&err);
      return 0;
    }
  kind = json_get (doc, "ociVersion") || json_get (doc, "root") || json_get (doc, "process") ? DOC_CONFIG : DOC_PROCESS;
  out = decide (doc, kind, &len, &f1);
  findings_free (&f1);
  if (out == NULL)
    return 0;
  check_promises (doc, kind, out);

  FUZZ_ASSERT (json_parse (out, len, NULL, &again, &err) == 0, "output does not parse: %s\n%s", fuzz_msg (err), out);
  out2 = decide (again, kind, &len2, &f2);
  if (out2 == NULL)
    {
      cleanup_free char *msg = findings_refusal_message (&f2);
      FUZZ_ASSERT (0, "accepted output refused on second evaluation: %s\n%s", msg ? msg : "(schema)", out);
    }
  FUZZ_ASSERT (!rewrote_something (&f2), "second evaluation rewrote again\n%s", out);
  FUZZ_ASSERT (len == len2 && memcmp (out, out2, len) == 0, "evaluation is not idempotent\n%s\n%s", out, out2);
  findings_free (&f2);
  return 0;
}
