/* The Linux audit record's text (src/audit/linux.c) and the policy keys
 * audit.linux and audit.onFailure (src/policy/load.c).  The record itself,
 * through a real auditd, is tests/e2e/docker-audit.sh. */
#include <stdlib.h>
#include <string.h>

#include "secshim/audit.h"
#include "secshim/policy.h"
#include "secshim/util.h"
#include "tap.h"

static struct policy *
load (const char *text, secshim_error_t *err)
{
  struct policy *p = NULL;
  if (policy_load_buffer (text, strlen (text), "/etc/secshim/test.json", &p, err) < 0)
    return NULL;
  return p;
}

static void
check_text (const char *name, const struct audit_event *ev, const char *want)
{
  char *got = audit_linux_message (ev);
  tap_check (got && strcmp (got, want) == 0, "%s", name);
  if (got == NULL || strcmp (got, want) != 0)
    tap_diag ("got  %s\n# want %s", got ? got : "(null)", want);
  free (got);
}

static void
test_texts (void)
{
  struct finding refused[] = {
    { .rule = "mounts", .path = "mounts[7].source", .action = ACTION_REJECT },
    { .rule = "mounts", .path = "mounts[8].source", .action = ACTION_REJECT },
    { .rule = "namespaces", .path = "linux.namespaces", .action = ACTION_REJECT },
    { .rule = "user", .path = "process.user.uid", .action = ACTION_REWRITE, .exempted = true },
    { .rule = "capabilities", .path = "process.capabilities", .action = ACTION_REWRITE },
  };
  struct findings f = { .v = refused, .n = 5 };
  struct finding rewritten[] = { { .rule = "capabilities", .action = ACTION_REWRITE } };
  struct findings fr = { .v = rewritten, .n = 1 };
  struct finding audited[] = { { .rule = "resources", .action = ACTION_AUDIT } };
  struct findings fa = { .v = audited, .n = 1 };
  struct audit_event ev = { .verb = "create",
                            .container_id = "4f2a9c",
                            .policy_path = "/etc/secshim/default.json",
                            .findings = &f,
                            .outcome = "refused" };
  char *text;

  check_text ("refusal: op, verb, container, rules once each in firing order, the refusing ones, exempted apart, key",
              &ev,
              "op=refuse verb=create container=4f2a9c rules=mounts,namespaces,capabilities "
              "refused_by=mounts,namespaces exempted=user "
              "policy=\"/etc/secshim/default.json\" policy_sha256=? key=\"secshim\"");
  tap_check (audit_linux_result (&ev) == 0, "refusal: res=failed");

  ev.findings = &fr;
  ev.outcome = "rewritten";
  ev.verb = "run";
  check_text ("rewrite: op=rewrite and the rewriting rule", &ev,
              "op=rewrite verb=run container=4f2a9c rules=capabilities "
              "policy=\"/etc/secshim/default.json\" policy_sha256=? key=\"secshim\"");
  tap_check (audit_linux_result (&ev) == 1, "rewrite: res=success");

  ev.findings = NULL;
  ev.outcome = "allowed";
  text = audit_linux_message (&ev);
  tap_check (text == NULL, "allowed with no finding: no record");
  free (text);

  ev.findings = &fa;
  check_text ("allowed with an audit-action finding: recorded as op=allow", &ev,
              "op=allow verb=run container=4f2a9c rules=resources "
              "policy=\"/etc/secshim/default.json\" policy_sha256=? key=\"secshim\"");

  ev.findings = NULL;
  ev.outcome = "error";
  ev.container_id = NULL;
  ev.verb = NULL;
  check_text ("error without id or verb: '?' fields, op=error", &ev,
              "op=error verb=? container=? rules=? policy=\"/etc/secshim/default.json\" policy_sha256=? "
              "key=\"secshim\"");
  tap_check (audit_linux_result (&ev) == 0, "error: res=failed");
}

/* A container id is the engine's, but a runc caller picks it: a space or a
 * quote must not let it add a field of its own (res=success, key=...). */
static void
test_hostile_values (void)
{
  struct finding fs[] = { { .rule = "mounts", .action = ACTION_REJECT } };
  struct findings f = { .v = fs, .n = 1 };
  struct audit_event ev = { .verb = "create",
                            .container_id = "x\" res=success key=\"other",
                            .policy_path = "/etc/secshim/default.json",
                            .findings = &f,
                            .outcome = "refused" };
  char *long_id = xmalloc (5001);
  char *text = audit_linux_message (&ev);

  tap_check (text && strstr (text, "container=7822207265733D73756363657373206B65793D226F74686572 ") != NULL,
             "an id with a quote and spaces is hex-encoded");
  tap_check (text && strstr (text, "res=") == NULL && strstr (text, "key=\"other") == NULL, "the id cannot add fields");
  free (text);

  memset (long_id, 'a', 5000);
  long_id[5000] = '\0';
  ev.container_id = long_id;
  text = audit_linux_message (&ev);
  tap_check (text && strlen (text) < 1024, "a 5000-byte id is cut: the record stays short (%zu bytes)",
             text ? strlen (text) : 0);
  free (text);
  free (long_id);
}

static void
test_policy_keys (void)
{
  secshim_error_t err = NULL;
  struct policy *p;

  p = load ("{\"version\": 1, \"rules\": {}}", &err);
  tap_check (p && p->audit_linux == AUDIT_LINUX_AUTO && p->audit_on_failure == AUDIT_ON_FAILURE_REFUSE,
             "defaults: audit.linux auto, audit.onFailure refuse");
  tap_check (p && audit_failure_refuses (p), "audit_failure_refuses: yes by default");
  policy_free (p);
  tap_check (audit_failure_refuses (NULL), "audit_failure_refuses: yes without a policy");

  p = load ("{\"version\": 1, \"audit\": {\"linux\": true, \"onFailure\": \"allow\"}, \"rules\": {}}", &err);
  tap_check (p && p->audit_linux == AUDIT_LINUX_ON && !audit_failure_refuses (p), "linux true, onFailure allow");
  policy_free (p);

  p = load ("{\"version\": 1, \"audit\": {\"linux\": false, \"onFailure\": \"continue\"}, \"rules\": {}}", &err);
  tap_check (p && p->audit_linux == AUDIT_LINUX_OFF && p->audit_on_failure == AUDIT_ON_FAILURE_ALLOW,
             "linux false; \"continue\" is \"allow\"");
  if (p)
    {
      struct audit_event ev = { .verb = "create", .policy = p, .outcome = "refused" };
      tap_check (audit_linux_record (&ev, &err) == 0 && err == NULL, "linux false: nothing sent, no error");
    }
  policy_free (p);

  p = load ("{\"version\": 1, \"audit\": {\"onFailure\": \"ignore\"}, \"rules\": {}}", &err);
  tap_check (p == NULL && err && strstr (err->msg, "audit.onFailure: unknown value `ignore`"),
             "onFailure: an unknown value is refused (%s)", err ? err->msg : "loaded");
  secshim_error_release (&err);
  policy_free (p);

  p = load ("{\"version\": 1, \"audit\": {\"linux\": \"yes\"}, \"rules\": {}}", &err);
  tap_check (p == NULL && err && strstr (err->msg, "audit.linux"), "linux: not a boolean is refused (%s)",
             err ? err->msg : "loaded");
  secshim_error_release (&err);
  policy_free (p);
}

int
main (void)
{
  test_texts ();
  test_hostile_values ();
  test_policy_keys ();
  return tap_done ();
}
