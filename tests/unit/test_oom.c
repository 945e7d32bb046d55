/* The oomScoreAdj floor against the engine's own score (rules.process
 * oomScoreAdjMin, oomScoreAdjEngine), one table row per case: kubelet's
 * pause (-998) and Guaranteed (-997) scores under a containerd at -999
 * (its shim, and so secshim, at -998), docker's 0, and what stays refused. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "secshim/hosts.h"
#include "secshim/json.h"
#include "secshim/policy.h"
#include "secshim/util.h"
#include "tap.h"

static int engine_score, engine_errno;

static int
fake_engine_score (const struct host *h, int *score)
{
  (void) h;
  if (engine_errno)
    return -engine_errno;
  *score = engine_score;
  return 0;
}

struct row
{
  const char *name;
  const char *action; /* rules.process.action */
  bool engine_flag;   /* rules.process.oomScoreAdjEngine */
  bool have_engine;   /* the host can tell the engine's score */
  int engine;         /* that score */
  int err;            /* or this errno */
  long value;         /* process.oomScoreAdj in the document */
  bool refused;       /* expected verdict */
  long after;         /* expected value in the document */
};

static const struct row rows[] = {
  { "kubelet pause -998 under a shim at -998", "rewrite", true, true, -998, 0, -998, false, -998 },
  { "Guaranteed pod -997 under a shim at -998", "rewrite", true, true, -998, 0, -997, false, -997 },
  { "Guaranteed pod -997 kept under reject too", "reject", true, true, -998, 0, -997, false, -997 },
  { "-1000 below the shim is raised to the floor", "rewrite", true, true, -998, 0, -1000, false, 0 },
  { "-999 below the shim is refused under reject", "reject", true, true, -998, 0, -999, true, -999 },
  { "docker's 0 untouched", "rewrite", true, true, 1, 0, 0, false, 0 },
  { "engine at 300: -5 still raised to the floor", "rewrite", true, true, 300, 0, -5, false, 0 },
  { "unreadable engine score: the floor holds", "rewrite", true, false, 0, EACCES, -998, false, 0 },
  { "no engine hook (fake host): the floor holds", "rewrite", true, false, 0, 0, -998, false, 0 },
  { "oomScoreAdjEngine false: the floor holds", "rewrite", false, true, -998, 0, -998, false, 0 },
  { "oomScoreAdjEngine false, reject: refused", "reject", false, true, -998, 0, -998, true, -998 },
};

static struct policy *
load_policy (const struct row *r)
{
  char *buf = NULL;
  struct policy *p = NULL;
  secshim_error_t err = NULL;
  xasprintf (&buf,
             "{\"version\": 1, \"rules\": {\"process\": {\"action\": \"%s\", \"oomScoreAdjMin\": 0,"
             " \"oomScoreAdjEngine\": %s}}}",
             r->action, r->engine_flag ? "true" : "false");
  if (policy_load_buffer (buf, strlen (buf), "test-oom.json", &p, &err) < 0)
    {
      fprintf (stderr, "policy: %s\n", err->msg);
      secshim_error_release (&err);
      p = NULL;
    }
  free (buf);
  return p;
}

static void
run_row (const struct row *r)
{
  struct policy *p = load_policy (r);
  struct host h;
  struct identity id = { .verb = "create", .container_id = "c1", .bundle = "/tmp/bundle" };
  struct findings f = { 0 };
  struct json_value *doc = NULL;
  secshim_error_t err = NULL;
  bool refused = false;
  int64_t after = 0;
  char *json = NULL;
  int ret;

  if (p == NULL)
    {
      TAP_CHECK (0, "%s: policy loads", r->name);
      return;
    }
  host_fake_init (&h, false, true);
  engine_score = r->engine;
  engine_errno = r->err;
  if (r->have_engine || r->err)
    h.engine_oom_score_adj = fake_engine_score;
  xasprintf (&json,
             "{\"ociVersion\": \"1.0.2\", \"process\": {\"args\": [\"sh\"], \"cwd\": \"/\", \"oomScoreAdj\": %ld}}",
             r->value);
  if (json_parse (json, strlen (json), NULL, &doc, &err) < 0)
    abort ();
  ret = policy_evaluate (p, doc, DOC_CONFIG, &h, &id, &f, &refused, &err);
  (void) json_get_i64 (json_get_path (doc, "process.oomScoreAdj"), &after);
  TAP_CHECK (ret == 0 && refused == r->refused && after == r->after, "%s: %s, oomScoreAdj %lld (want %s, %ld)", r->name,
             refused ? "refused" : "allowed", (long long) after, r->refused ? "refused" : "allowed", r->after);
  secshim_error_release (&err);
  findings_free (&f);
  json_free (doc);
  free (json);
  policy_free (p);
}

int
main (void)
{
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
    run_row (&rows[i]);
  return tap_done ();
}
