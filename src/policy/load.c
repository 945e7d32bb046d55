/* Loading and validating a policy file: see policy.h.
 *
 * The file is read with the same strict JSON loader as config.json, then
 * consumed key by key: every key is either understood or refused, so a typo
 * in a policy can never silently disable a rule. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yajl/yajl_parse.h>

#include "secshim/cleanup.h"
#include "secshim/file.h"
#include "secshim/exemption.h"
#include "secshim/pack.h"
#include "secshim/policy.h"
#include "secshim/settings.h"
#include "secshim/sha256.h"
#include "secshim/util.h"
#include "compiled.h"

#define POLICY_MAX_BYTES ((size_t) 1024 * 1024)

static const char *const action_names[] = { "reject", "rewrite", "audit", "warn", NULL };

const char *
action_name (enum action a)
{
  switch (a)
    {
    case ACTION_REJECT:
      return "reject";
    case ACTION_REWRITE:
      return "rewrite";
    case ACTION_AUDIT:
      return "audit";
    case ACTION_WARN:
      return "warn";
    }
  return "unknown";
}

const char *
policy_default_path (void)
{
#ifdef SECSHIM_SYSCONFDIR
  return SECSHIM_SYSCONFDIR "/secshim/default.json";
#else
  return "/etc/secshim/default.json";
#endif
}

static const struct rule_ops *
find_rule (const char *name)
{
  size_t i;
  for (i = 0; i < secshim_n_rules; i++)
    if (strcmp (secshim_rules[i]->name, name) == 0)
      return secshim_rules[i];
  return NULL;
}

static char *
known_rule_names (void)
{
  char *list = xstrdup ("");
  size_t i;
  for (i = 0; i < secshim_n_rules; i++)
    {
      char *next = NULL;
      xasprintf (&next, "%s%s%s", list, i ? ", " : "", secshim_rules[i]->name);
      free (list);
      list = next;
    }
  return list;
}

static int
load_one_rule (struct policy *p, const char *name, struct json_value *settings, const char *policy_dir,
               struct rule_config *slots, secshim_error_t *err)
{
  cleanup_free char *where = NULL;
  const struct rule_ops *ops = find_rule (name);
  int action_index = -1;
  size_t slot;

  xasprintf (&where, "rules.%s", name);
  if (ops == NULL)
    {
      cleanup_free char *known = known_rule_names ();
      return secshim_make_error (err, SECSHIM_ECONFIG, "rules: unknown rule `%s` (known: %s)", name, known);
    }
  if (!json_is (settings, JSON_OBJECT))
    return secshim_make_error (err, SECSHIM_ECONFIG, "%s: expected an object", where);
  if (take_enum (settings, where, "action", action_names, &action_index, err) < 0)
    return -1;
  if (action_index < 0)
    return secshim_make_error (err, SECSHIM_ECONFIG, "%s.action: missing (reject, rewrite, audit or warn)", where);
  for (slot = 0; slot < secshim_n_rules; slot++)
    if (secshim_rules[slot] == ops)
      break;
  slots[slot].ops = ops;
  slots[slot].action = (enum action) (1 << action_index);
  if (!(ops->actions & slots[slot].action))
    return secshim_make_error (err, SECSHIM_ECONFIG, "%s.action: rule `%s` does not support `%s`", where, name,
                               action_names[action_index]);
  if (ops->load && ops->load (settings, policy_dir, &slots[slot].state, err) < 0)
    return -1;
  return settings_no_leftovers (settings, where, err);
}

static int
load_rules (struct policy *p, struct json_value *rules, const char *policy_dir, secshim_error_t *err)
{
  cleanup_free struct rule_config *slots = NULL;
  size_t i, n = 0;

  if (!json_is (rules, JSON_OBJECT))
    return secshim_make_error (err, SECSHIM_ECONFIG, "rules: expected an object");
  slots = xzalloc ((secshim_n_rules + 1) * sizeof *slots);
  for (i = 0; i < rules->count; i++)
    if (load_one_rule (p, rules->members[i].key, rules->members[i].value, policy_dir, slots, err) < 0)
      {
        size_t j;
        for (j = 0; j < secshim_n_rules; j++)
          if (slots[j].ops && slots[j].ops->free_state && slots[j].state)
            slots[j].ops->free_state (slots[j].state);
        return -1;
      }
  /* Keep table order, which is evaluation order. */
  p->rules = xzalloc ((secshim_n_rules + 1) * sizeof *p->rules);
  for (i = 0; i < secshim_n_rules; i++)
    if (slots[i].ops)
      p->rules[n++] = slots[i];
  p->n_rules = n;
  return 0;
}

static int
load_audit (struct policy *p, struct json_value *audit, secshim_error_t *err)
{
  if (audit == NULL)
    return 0;
  if (!json_is (audit, JSON_OBJECT))
    return secshim_make_error (err, SECSHIM_ECONFIG, "audit: expected an object");
  /* "continue" is issue 11's spelling of "allow": both are accepted. */
  static const char *const on_failure[] = { "refuse", "allow", "continue", NULL };
  int choice = 0;
  bool linux_on = false;
  bool linux_set = json_get (audit, "linux") != NULL;

  if (take_abs_path (audit, "audit", "log", &p->audit_log, err) < 0
      || take_bool (audit, "audit", "syslog", &p->audit_syslog, err) < 0
      || take_bool (audit, "audit", "linux", &linux_on, err) < 0
      || take_enum (audit, "audit", "onFailure", on_failure, &choice, err) < 0)
    return -1;
  if (linux_set)
    p->audit_linux = linux_on ? AUDIT_LINUX_ON : AUDIT_LINUX_OFF;
  p->audit_on_failure = choice >= 1 ? AUDIT_ON_FAILURE_ALLOW : AUDIT_ON_FAILURE_REFUSE;
  return settings_no_leftovers (audit, "audit", err);
}

static int
load_document (struct policy *p, struct json_value *doc, const char *policy_dir, secshim_error_t *err)
{
  cleanup_with (json_free) struct json_value *rules = NULL;
  cleanup_with (json_free) struct json_value *audit = NULL;
  cleanup_with (json_free) struct json_value *exemptions = NULL;
  uint32_t version = 0;

  if (!json_is (doc, JSON_OBJECT))
    return secshim_make_error (err, SECSHIM_ECONFIG, "the policy must be a JSON object");
  if (json_get (doc, "version") == NULL)
    return secshim_make_error (err, SECSHIM_ECONFIG, "version: missing (this secshim reads version 1)");
  if (take_u32 (doc, "policy", "version", &version, err) < 0)
    return -1;
  if (version != 1)
    return secshim_make_error (err, SECSHIM_ECONFIG, "version: %u is not supported (this secshim reads 1)", version);
  p->version = 1;
  if (take_abs_path (doc, "policy", "runtime", &p->runtime, err) < 0)
    return -1;
  audit = take_raw (doc, "audit");
  rules = take_raw (doc, "rules");
  exemptions = take_raw (doc, "exemptions");
  if (load_audit (p, audit, err) < 0)
    return -1;
  if (rules == NULL)
    return secshim_make_error (err, SECSHIM_ECONFIG, "rules: missing");
  if (load_rules (p, rules, policy_dir, err) < 0)
    return -1;
  if (exemptions_load (p, exemptions, err) < 0)
    return -1;
  if (doc->count > 0)
    return secshim_make_error (err, SECSHIM_ECONFIG, "unknown key `%s`", doc->members[0].key);
  return 0;
}

/* Parse everything, then validate: the rules' expensive validate steps run
 * last, once every data file is read.  With use_cache, a policy that loaded
 * and validated is recorded as a compiled policy (compiled.c). */
static int
load_buffer (const char *buf, size_t len, const char *path, bool use_cache, struct policy **out, secshim_error_t *err)
{
  cleanup_with (json_free) struct json_value *doc = NULL;
  cleanup_with (policy_free) struct policy *p = xzalloc (sizeof *p);
  cleanup_free char *dir_copy = xstrdup (path);

  p->path = xstrdup (path);
  sha256_hex (buf, len, p->sha256);
  if (json_parse (buf, len, NULL, &doc, err) < 0 || load_document (p, doc, dirname (dir_copy), err) < 0
      || policy_validate (p, err) < 0)
    return secshim_error_wrap (err, "policy %s", path);
  if (use_cache)
    compiled_store (p, buf, len);
  *out = steal_pointer (&p);
  return 0;
}

int
policy_load_buffer (const char *buf, size_t len, const char *path, struct policy **out, secshim_error_t *err)
{
  return load_buffer (buf, len, path, false, out, err);
}

/* The policy decides what runs as root on the host: it must be root's own
 * (or the caller's, for tests run as a user) and writable by no one else. */
static int
read_policy_file (const char *path, char **buf, size_t *len, secshim_error_t *err)
{
  struct stat st;
  int r = file_read_at (AT_FDCWD, path, 0, FILE_REGULAR | FILE_TRUSTED, POLICY_MAX_BYTES, buf, len, &st);

  switch (r)
    {
    case 0:
      return 0;
    case FILE_ENOTREG:
      return secshim_make_error (err, SECSHIM_ECONFIG, "policy %s: not a regular file", path);
    case FILE_EUNTRUSTED:
      if (st.st_uid != 0 && st.st_uid != geteuid ())
        return secshim_make_error (err, SECSHIM_ECONFIG, "policy %s: owned by uid %u, not root", path,
                                   (unsigned) st.st_uid);
      return secshim_make_error (err, SECSHIM_ECONFIG, "policy %s: writable by group or others", path);
    default:
      return secshim_make_error (err, -r, "policy %s", path);
    }
}

int
policy_load_file (const char *path, struct policy **out, secshim_error_t *err)
{
  cleanup_free char *buf = NULL;
  char abs[4096];
  size_t len = 0;

  if (realpath (path, abs) == NULL)
    return secshim_make_error (err, errno, "policy %s", path);
  if (read_policy_file (abs, &buf, &len, err) < 0)
    return -1;
  if (compiled_enabled () && compiled_load (abs, buf, len, out) == 0)
    return 0;
  return load_buffer (buf, len, abs, compiled_enabled (), out, err);
}

/* ---- the passthrough peek ---- */

/* yajl's callback parser, no tree: only the root object's "runtime". */
struct peek
{
  size_t depth;    /* 1 inside the root object */
  bool at_runtime; /* the next value at depth 1 is "runtime"'s */
  bool done;
  char *runtime;
};

static int
peek_map_key (void *opaque, const unsigned char *key, size_t len)
{
  struct peek *pk = opaque;
  if (pk->depth == 1)
    pk->at_runtime = len == 7 && memcmp (key, "runtime", 7) == 0;
  return 1;
}

/* "runtime" holds something else than a string: no runtime, stop. */
static int
peek_scalar (void *opaque)
{
  struct peek *pk = opaque;
  if (pk->depth == 1 && pk->at_runtime)
    {
      pk->done = true;
      return 0;
    }
  return 1;
}

static int
peek_boolean (void *opaque, int b)
{
  return peek_scalar (opaque);
}

static int
peek_number (void *opaque, const char *s, size_t len)
{
  return peek_scalar (opaque);
}

static int
peek_string (void *opaque, const unsigned char *s, size_t len)
{
  struct peek *pk = opaque;
  if (pk->depth != 1 || !pk->at_runtime)
    return 1;
  /* An absolute path, without the NUL a \u0000 escape would decode to. */
  if (len > 0 && s[0] == '/' && memchr (s, '\0', len) == NULL)
    pk->runtime = xstrndup ((const char *) s, len);
  pk->done = true;
  return 0; /* found: the rest of the file does not matter */
}

static int
peek_open (void *opaque)
{
  struct peek *pk = opaque;
  if (!peek_scalar (opaque))
    return 0;
  pk->depth++;
  return 1;
}

static int
peek_close (void *opaque)
{
  struct peek *pk = opaque;
  pk->depth--;
  return 1;
}

static const yajl_callbacks peek_callbacks = {
  .yajl_null = peek_scalar,
  .yajl_boolean = peek_boolean,
  .yajl_number = peek_number,
  .yajl_string = peek_string,
  .yajl_start_map = peek_open,
  .yajl_map_key = peek_map_key,
  .yajl_end_map = peek_close,
  .yajl_start_array = peek_open,
  .yajl_end_array = peek_close,
};

/* Passthrough verbs (state, kill, delete, ...) run this at every call, so
 * it neither builds a tree nor validates the policy: it scans the file with
 * yajl's event parser and stops at the root object's "runtime" string.  A
 * file that fails the owner/mode checks of read_policy_file, that yajl
 * refuses before "runtime", or that has no absolute "runtime" gives NULL:
 * the default runtime.  A policy broken only after its "runtime" still
 * routes passthrough to that runtime (the loader refuses it at the next
 * create). */
void
policy_peek_runtime (const char *path, char **out)
{
  cleanup_free char *buf = NULL;
  secshim_error_t err = NULL;
  struct peek pk = { 0 };
  yajl_handle h;
  size_t len = 0;

  *out = NULL;
  if (read_policy_file (path, &buf, &len, &err) < 0)
    {
      secshim_error_release (&err);
      return;
    }
  h = yajl_alloc (&peek_callbacks, NULL, &pk);
  if (h == NULL)
    return;
  if (yajl_parse (h, (const unsigned char *) buf, len) == yajl_status_ok && !pk.done)
    yajl_complete_parse (h);
  yajl_free (h);
  *out = pk.runtime;
}

void
policy_free (struct policy *p)
{
  size_t i;
  if (p == NULL)
    return;
  for (i = 0; i < p->n_rules; i++)
    if (p->rules[i].ops->free_state && p->rules[i].state)
      p->rules[i].ops->free_state (p->rules[i].state);
  free (p->rules);
  exemptions_free (p->exemptions, p->n_exemptions);
  free (p->path);
  free (p->runtime);
  free (p->audit_log);
  free (p->entry);
  pack_arena_free (p->arena);
  free (p);
}
