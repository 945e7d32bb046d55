/* runc command-line flags are inputs of the rules that own their field
 * (tests/unit/flag-rules-cases.tsv): inline `runc exec --user/-g/--cap/
 * --apparmor/--process-label/--cwd/-e/--no-new-privs`, `runc restore
 * --lsm-profile/--lsm-mount-context` and `runc update --memory/--pids-limit/
 * --cpu-quota/--cpu-period` give findings of rules user, capabilities,
 * apparmor, selinux, process, noNewPrivileges and resources, refused
 * under policy/default.json (with the message refusal.c builds from them)
 * and only recorded under policy/audit.json.  Each row: one TAP line for
 * the verdict, one for the finding (rule, path "<verb> --<flag>", action,
 * message), one for the refusal message when refused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "secshim/cleanup.h"
#include "secshim/cli.h"
#include "secshim/host.h"
#include "secshim/hosts.h"
#include "secshim/json.h"
#include "secshim/policy.h"
#include "secshim/refusal.h"
#include "secshim/spec.h"
#include "secshim/util.h"
#include "tap.h"

#define MAX_TOKENS 32

static const char restore_doc[]
    = "{\"ociVersion\": \"1.0.2\", \"process\": {\"args\": [\"sh\"], \"cwd\": \"/\", \"user\": {\"uid\": 1000, "
      "\"gid\": 1000}, \"selinuxLabel\": \"system_u:system_r:container_t:s0:c1,c2\"}, \"root\": {\"path\": "
      "\"/b/rootfs\"}, \"linux\": {\"mountLabel\": \"system_u:object_r:container_file_t:s0:c1,c2\", "
      "\"maskedPaths\": [\"/proc/kcore\"], \"readonlyPaths\": [\"/proc/sys\"], \"namespaces\": [{\"type\": "
      "\"pid\"}, {\"type\": \"ipc\"}, {\"type\": \"uts\"}, {\"type\": \"mount\"}, {\"type\": \"network\"}]}}";

struct row
{
  int line;
  char *name, *policy, *verdict, *rule, *message, *argv_text;
};

static struct policy *policies[3];
static const char *const policy_names[] = { "default", "audit", "restricted" };

static struct policy *
policy_named (const char *name)
{
  size_t i;
  for (i = 0; i < 3; i++)
    if (strcmp (policy_names[i], name) == 0)
      return policies[i];
  return NULL;
}

/* The finding of `rule` naming a flag ("exec --user"), or NULL. */
static const struct finding *
flag_finding (const struct findings *f, const char *rule, const char *verb)
{
  size_t i, n = strlen (verb);
  for (i = 0; i < f->n; i++)
    if (strcmp (f->v[i].rule, rule) == 0 && strncmp (f->v[i].path, verb, n) == 0
        && strncmp (f->v[i].path + n, " --", 3) == 0)
      return &f->v[i];
  return NULL;
}

static bool
any_flag_finding (const struct findings *f, const char *verb)
{
  size_t i, n = strlen (verb);
  for (i = 0; i < f->n; i++)
    if (strncmp (f->v[i].path, verb, n) == 0 && strncmp (f->v[i].path + n, " --", 3) == 0)
      return true;
  return false;
}

static void
run_row (const struct row *r, const struct host *h)
{
  cleanup_free char *tokbuf = xstrdup (r->argv_text);
  char *tokens[MAX_TOKENS + 2];
  struct cli_model m = { 0 };
  struct json_value *doc = NULL;
  struct findings f = { 0 };
  struct policy *p = policy_named (r->policy);
  secshim_error_t err = NULL;
  bool refused = false;
  int argc = 1;
  char *save = NULL, *t;
  enum doc_kind kind;

  tokens[0] = (char *) "runc";
  for (t = strtok_r (tokbuf, " ", &save); t && argc <= MAX_TOKENS; t = strtok_r (NULL, " ", &save))
    tokens[argc++] = t;
  tokens[argc] = NULL;
  if (p == NULL || cli_parse (argc, tokens, &m, &err) < 0)
    {
      TAP_CHECK (0, "%s (line %d): parse (%s)", r->name, r->line, err ? err->msg : "unknown policy");
      goto out;
    }
  {
    struct identity id = { m.verb_name, m.container_id, NULL, "/b", false, &m };
    if (m.verb == VERB_EXEC || m.verb == VERB_UPDATE)
      {
        kind = DOC_ARGV;
        doc = json_new_object ();
      }
    else
      {
        kind = DOC_CONFIG;
        if (json_parse (restore_doc, strlen (restore_doc), NULL, &doc, &err) < 0
            || spec_normalize (doc, SPEC_CONFIG, &err) < 0)
          {
            TAP_CHECK (0, "%s: restore document (%s)", r->name, err->msg);
            goto out;
          }
      }
    if (policy_evaluate (p, doc, kind, h, &id, &f, &refused, &err) < 0)
      {
        TAP_CHECK (0, "%s (line %d): evaluate (%s)", r->name, r->line, err->msg);
        goto out;
      }
  }
  TAP_CHECK (refused == (strcmp (r->verdict, "refused") == 0), "%s: %s under %s.json", r->name,
             refused ? "refused" : "allowed", r->policy);
  if (strcmp (r->rule, "-") == 0)
    TAP_CHECK (!any_flag_finding (&f, m.verb_name), "%s: no finding names a flag", r->name);
  else
    {
      const struct finding *fd = flag_finding (&f, r->rule, m.verb_name);
      /* A refused row's finding refuses; an allowed row's is recorded
       * (audit.json, or default.json, whose resources rule audits). */
      enum action want = strcmp (r->verdict, "refused") == 0 ? ACTION_REJECT : ACTION_AUDIT;
      TAP_CHECK (fd && fd->action == want && strstr (fd->message, r->message), "%s: rule %s records %s at `%s`: %s",
                 r->name, r->rule, fd ? action_name (fd->action) : "nothing", fd ? fd->path : "-",
                 fd ? fd->message : "-");
    }
  if (refused)
    {
      cleanup_free char *msg = refusal_message (&f, doc, ENGINE_OCI, p->path);
      TAP_CHECK (strstr (msg, r->message) && strlen (msg) < REFUSAL_MAX_BYTES, "%s: refusal message: %s", r->name, msg);
    }
out:
  secshim_error_release (&err);
  findings_free (&f);
  json_free (doc);
  cli_model_free (&m);
}

static char *
field (char **cursor)
{
  char *s = *cursor, *tab;
  if (s == NULL)
    return NULL;
  tab = strchr (s, '\t');
  if (tab)
    {
      *tab = '\0';
      *cursor = tab + 1;
    }
  else
    *cursor = NULL;
  return s;
}

int
main (void)
{
  FILE *fp = fopen ("tests/unit/flag-rules-cases.tsv", "re");
  char *line = NULL;
  size_t cap = 0, i;
  int n = 0;
  struct host h;
  secshim_error_t err = NULL;

  host_fake_init (&h, true, true);
  /* Full load and validation, no compiled policy: nothing on the host. */
  policy_cache_set (true, NULL);
  for (i = 0; i < 3; i++)
    {
      cleanup_free char *path = NULL;
      char abs[4096];
      xasprintf (&path, "policy/%s.json", policy_names[i]);
      if (realpath (path, abs) == NULL || policy_load_file (abs, &policies[i], &err) < 0)
        {
          TAP_CHECK (0, "load %s: %s", path, err ? err->msg : "missing");
          return tap_done ();
        }
    }
  if (fp == NULL)
    {
      TAP_CHECK (0, "open tests/unit/flag-rules-cases.tsv");
      return tap_done ();
    }
  while (getline (&line, &cap, fp) > 0)
    {
      struct row r = { .line = ++n };
      char *cur = line;
      line[strcspn (line, "\n")] = '\0';
      if (line[0] == '#' || line[0] == '\0')
        continue;
      r.name = field (&cur);
      r.policy = field (&cur);
      r.verdict = field (&cur);
      r.rule = field (&cur);
      r.message = field (&cur);
      r.argv_text = field (&cur);
      if (r.argv_text == NULL)
        {
          TAP_CHECK (0, "line %d: six columns", n);
          continue;
        }
      run_row (&r, &h);
    }
  free (line);
  fclose (fp);
  for (i = 0; i < 3; i++)
    policy_free (policies[i]);
  return tap_done ();
}
